import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { curlExample, parseServeBanner, PredictionServiceProcess } from '../../src/extension/jobs/prediction-service';

// Stands in for `convlab serve RUN`: the banner src/cli/serve.ts prints, then serving until
// SIGTERM; or the CLI's refusal on stderr with exit 1.
const FAKE_SERVE = `
const mode = process.argv[2];
if (mode === 'serve') {
  setTimeout(() => {
    process.stdout.write('Serving LeNet5 from /runs/LeNet 5-20250101-120000 at http://127.0.0.1:41234 (temperature 1.274)\\n');
    process.stdout.write('Token: s3cr3t-T0ken\\nTry: curl -s -H "Authorization: Bearer s3cr3t-T0ken" --data-binary @image.png http://127.0.0.1:41234/predict\\n');
  }, 30);
  process.once('SIGTERM', () => { process.stderr.write('closing\\n'); process.exit(0); });
  setInterval(() => {}, 1000);
} else {
  process.stderr.write('convlab: /runs/x has no summary.json: serve a run that finished training\\n');
  process.exitCode = 1;
}
`;

function launch(mode: string) {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-fake-serve-'));
  const script = join(dir, 'serve.js');
  writeFileSync(script, FAKE_SERVE);
  return { command: process.execPath, args: [script, mode], cwd: dir, env: {} };
}

test('the banner: model, URL and temperature from the first line, the token from the second', () => {
  assert.equal(parseServeBanner(['Serving LeNet5 from /r at http://127.0.0.1:8080 (temperature 1.5)']), undefined, 'not before the token');
  assert.deepEqual(parseServeBanner(['Serving LeNet5 from /my runs/r at http://127.0.0.1:8080 (temperature 1.500)', 'Token: abc_-1']), {
    model: 'LeNet5', url: 'http://127.0.0.1:8080', token: 'abc_-1', temperature: 1.5,
  });
  assert.equal(parseServeBanner(['Serving M from /r at http://0.0.0.0:80 (temperature 1)', 'Token: t']), undefined, 'only loopback is expected');
});

test('a service starts, says where it listens, hides its token from the log, and stops on request', async () => {
  const logs: string[] = [];
  const service = new PredictionServiceProcess(launch('serve'), (line) => logs.push(line));
  const banner = await service.ready;
  assert.deepEqual(banner, { model: 'LeNet5', url: 'http://127.0.0.1:41234', token: 's3cr3t-T0ken', temperature: 1.274 });
  assert.ok(!logs.some((line) => line.includes('s3cr3t')), logs.join('\n'));
  await service.stop();
  const exit = await service.exited;
  assert.equal(exit.stopped, true);
  assert.equal(exit.code, 0);
  assert.ok(logs.includes('closing'), 'SIGTERM reached the service, which closed cleanly');
  await service.stop();
});

test('a service that refuses to start rejects ready with the engine\'s message', async () => {
  const service = new PredictionServiceProcess(launch('refuse'), () => {});
  await assert.rejects(service.ready, /^Error: \/runs\/x has no summary.json: serve a run that finished training$/);
  assert.equal((await service.exited).stopped, false);
  const missing = new PredictionServiceProcess({ ...launch('serve'), command: join(tmpdir(), 'no-such-node') }, () => {});
  await assert.rejects(missing.ready, /the prediction service could not start: spawn .*ENOENT/);
});

test('the curl example carries the token and the predict URL', () => {
  assert.equal(curlExample({ url: 'http://127.0.0.1:8080', token: 'tok' }), 'curl -s -H "Authorization: Bearer tok" --data-binary @image.png http://127.0.0.1:8080/predict');
});
