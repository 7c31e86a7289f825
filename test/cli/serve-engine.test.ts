import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { LineSplitter } from '../../src/extension/jobs/engine-events';
import { ServeEngineReplySchema, type ServeEngineReply } from '../../src/protocol/explain';
import { EngineReplySchema, type EngineReply } from '../../src/protocol/inspect';

// The built CLI's `serve-engine`, as the feature-maps view drives it, fed corrupted lines first.
const root = join(__dirname, '..', '..');
const cli = join(root, 'bin', 'convlab.js');

test('serve-engine: a corrupted request gets a located error (reply and stderr), and the engine goes on serving', async () => {
  const child = spawn(process.execPath, [cli, 'serve-engine'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const replies: EngineReply[] = [];
  let stderr = '';
  const splitter = new LineSplitter();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of splitter.push(chunk)) replies.push(EngineReplySchema.parse(JSON.parse(line)));
    if (replies.length === 3) child.stdin.end('{"id":9,"method":"shutdown"}\n');
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.write('{"id":5,"method":"inspect","params":{"layer":3}}\n');
  child.stdin.write('{torn\n');
  child.stdin.write(`${JSON.stringify({ id: 6, method: 'inspect', params: { file: join(root, 'samples', 'lenet5.cnn'), layer: 'C1', sample: 0, backend: 'cpu' } })}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);

  const [first, second, third] = replies;
  assert.ok(first && 'error' in first && first.id === 5, JSON.stringify(first));
  assert.match(first.error.message, /stdin line 1 is not a request .*at params\.file: .*at params\.layer: /);
  assert.ok(second && 'error' in second && second.id === -1);
  assert.match(second.error.message, /stdin line 2 .*not JSON/);
  assert.ok(third && 'result' in third && third.id === 6, JSON.stringify(third).slice(0, 300));
  assert.deepEqual(third.result.activations.shape, [28, 28, 6]);
  assert.match(stderr, /serve-engine: stdin line 1 is not a request/);
});

test('serve-engine explains an image, then one value of it, and says what is wrong with a bad position', async () => {
  const child = spawn(process.execPath, [cli, 'serve-engine'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const replies: ServeEngineReply[] = [];
  let stderr = '';
  const splitter = new LineSplitter();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of splitter.push(chunk)) replies.push(ServeEngineReplySchema.parse(JSON.parse(line)));
    if (replies.length === 3) child.stdin.end('{"id":9,"method":"shutdown"}\n');
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const params = { file: join(root, 'samples', 'lenet5.cnn'), sample: 0, backend: 'cpu' };
  child.stdin.write(`${JSON.stringify({ id: 1, method: 'explain', params })}\n`);
  child.stdin.write(`${JSON.stringify({ id: 2, method: 'explainUnit', params: { ...params, layer: 'S2', position: [3, 4, 1] } })}\n`);
  child.stdin.write(`${JSON.stringify({ id: 3, method: 'explainUnit', params: { ...params, layer: 'S2', position: [14, 0, 0] } })}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  const [flow, unit, bad] = replies;
  assert.ok(flow && 'result' in flow && flow.result.kind === 'flow', JSON.stringify(flow).slice(0, 300));
  assert.equal(flow.result.layers.length, 8);
  assert.ok(unit && 'result' in unit && unit.result.kind === 'pool', JSON.stringify(unit).slice(0, 300));
  assert.deepEqual(unit.result.window, { top: 6, left: 8, height: 2, width: 2, dilation: [1, 1] });
  assert.ok(bad && 'error' in bad && bad.id === 3);
  assert.match(bad.error.message, /S2: position \[14, 0, 0\] is outside its output 14×14×6/);
});
