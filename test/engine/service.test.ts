import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startPredictionService, type PredictionService } from '../../src/engine/service/prediction-http';
import { train } from '../../src/engine/training/trainer';
import { pngBytes } from '../fixtures/datasets';

// A real service on 127.0.0.1 over a model trained for a few seconds on real MNIST digits.
let service: PredictionService;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-serve-'));
  const file = join(dir, 'm.cnn');
  writeFileSync(file, 'model M {\n  input 28x28x1\n  conv 4 3x3 relu\n  maxpool 2x2\n  flatten\n  dense 10 softmax\n}\ntrain M {\n  data mnist\n  epochs 1\n  batch 32\n  limit 320\n  validation 0.1\n  seed 5\n}\n');
  const done = await train({ file, runsDir: join(dir, 'runs'), onEvent: () => {} });
  assert.equal(done.type, 'done');
  service = await startPredictionService({ run: done.runDir, file, maxBodyBytes: 100_000, maxPixels: 1_000_000, referBelow: 0.9 });
});

after(async () => {
  await service?.close();
});

const post = (body: Uint8Array | string, token: string | null = service.token, path = '/predict') =>
  fetch(`${service.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : Buffer.from(body), headers: token === null ? {} : { authorization: `Bearer ${token}` } });

// A thick vertical bar: a "1" of sorts, as a gray PNG.
const digit = pngBytes(28, 28, (x) => (x >= 12 && x <= 15 ? [255, 255, 255] : [0, 0, 0]), true);

test('no token or a wrong token gets 401', async () => {
  assert.equal((await post(digit, null)).status, 401);
  const wrong = await post(digit, 'not-the-token');
  assert.equal(wrong.status, 401);
  assert.match(((await wrong.json()) as { error: string }).error, /missing or wrong token/);
});

test('a body that is not an image gets 400 saying why', async () => {
  const response = await post('hello, this is text');
  assert.equal(response.status, 400);
  assert.match(((await response.json()) as { error: string }).error, /the request body: not a JPEG or PNG file/);
  assert.equal((await post(new Uint8Array())).status, 400);
});

test('a valid image gets calibrated probabilities that sum to 1, a class and a refer flag', async () => {
  const response = await post(digit);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { class: string; confidence: number; refer: boolean; probabilities: Record<string, number>; temperature: number };
  const total = Object.values(body.probabilities).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1) < 1e-6, String(total));
  assert.deepEqual(Object.keys(body.probabilities), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(body.confidence, body.probabilities[body.class]);
  assert.equal(body.refer, body.confidence < 0.9);
  assert.ok(body.temperature > 0 && body.temperature === service.temperature);
});

test('Grad-CAM on request, health, and the limits', async () => {
  const withCam = (await (await post(digit, service.token, '/predict?gradcam=1')).json()) as { gradcam: { values: number[]; height: number } };
  assert.equal(withCam.gradcam.values.length, withCam.gradcam.height * withCam.gradcam.height);
  const health = await fetch(`${service.url}/health`, { headers: { authorization: `Bearer ${service.token}` } });
  assert.equal(health.status, 200);
  assert.equal((await post(digit, service.token, '/elsewhere')).status, 404);
  assert.equal((await post(new Uint8Array(200_000))).status, 413);
  const huge = Buffer.from(digit);
  huge.writeUInt32BE(5000, 16);
  huge.writeUInt32BE(5000, 20);
  const tooMany = await post(huge);
  assert.equal(tooMany.status, 400);
  assert.match(((await tooMany.json()) as { error: string }).error, /5000×5000 pixels is more than the 1,000,000 allowed/);
});

test('a multipart upload, as the assignment\'s Flask client and HTML forms send it, gets the same prediction as raw bytes', async () => {
  // What requests.post(url, files={'file': open('digit.png', 'rb')}) sends; fetch writes the same framing.
  const form = new FormData();
  form.append('note', 'a field before the file');
  form.append('file', new Blob([new Uint8Array(digit)], { type: 'image/png' }), 'digit.png');
  const multipart = await fetch(`${service.url}/predict`, { method: 'POST', body: form, headers: { authorization: `Bearer ${service.token}` } });
  assert.equal(multipart.status, 200, await multipart.clone().text());
  const raw = await post(digit);
  assert.deepEqual(await multipart.json(), await raw.json());

  const noFile = new FormData();
  noFile.append('image', 'not a file');
  const missing = await fetch(`${service.url}/predict`, { method: 'POST', body: noFile, headers: { authorization: `Bearer ${service.token}` } });
  assert.equal(missing.status, 400);
  assert.match(((await missing.json()) as { error: string }).error, /the multipart form has no file part \(only the fields image\)/);
});
