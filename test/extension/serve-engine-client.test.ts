import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ServeEngineClient } from '../../src/extension/jobs/serve-engine-client';

// A stand-in for `convlab serve-engine`: replies out of order, an error for layer "bad", exits on "crash".
const FAKE_SERVER = `
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const request = JSON.parse(line);
  if (request.method === 'shutdown') process.exit(0);
  const layer = request.params.layer;
  if (layer === 'crash') { process.stderr.write('out of memory\\n'); process.exit(9); }
  const reply = layer === 'bad'
    ? { id: request.id, error: { message: 'no layer named bad' } }
    : { id: request.id, result: { model: 'M', layer, type: 'Conv2D', weights: 'untrained (seed 42)', source: 's',
        input: { shape: [1], dtype: 'float32', data: 'AAAAAA==', min: 0, max: 0 },
        activations: { shape: [1], dtype: 'float32', data: 'AAAAAA==', min: 0, max: 0 } } };
  setTimeout(() => process.stdout.write(JSON.stringify(reply) + '\\n'), layer === 'slow' ? 100 : 0);
});
`;

function client(): { engine: ServeEngineClient; starts: () => number } {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-fake-serve-'));
  writeFileSync(join(dir, 'serve.js'), FAKE_SERVER);
  let count = 0;
  const engine = new ServeEngineClient(async () => {
    count++;
    return { command: process.execPath, args: [join(dir, 'serve.js')], cwd: dir, env: {} };
  }, () => {});
  return { engine, starts: () => count };
}

test('requests are matched to replies by id, errors reject, one process serves them all', async () => {
  const { engine, starts } = client();
  const [slow, fast, bad] = await Promise.allSettled([
    engine.inspect({ file: 'm.cnn', layer: 'slow' }),
    engine.inspect({ file: 'm.cnn', layer: 'C1' }),
    engine.inspect({ file: 'm.cnn', layer: 'bad' }),
  ]);
  assert.equal(slow.status === 'fulfilled' && slow.value.layer, 'slow');
  assert.equal(fast.status === 'fulfilled' && fast.value.layer, 'C1');
  assert.equal(bad.status === 'rejected' && (bad.reason as Error).message, 'no layer named bad');
  assert.equal(starts(), 1);
  engine.dispose();
});

test('a crash fails the waiting request with stderr, and the next request starts a new process', async () => {
  const { engine, starts } = client();
  await assert.rejects(engine.inspect({ file: 'm.cnn', layer: 'crash' }), /exited with code 9:\nout of memory/);
  const result = await engine.inspect({ file: 'm.cnn', layer: 'C1' });
  assert.equal(result.layer, 'C1');
  assert.equal(starts(), 2);
  engine.dispose();
});
