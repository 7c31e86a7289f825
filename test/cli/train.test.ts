import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import type { EngineEvent } from '../../src/protocol/engine';

// The built CLI, as the extension's job manager runs it: `convlab train --json`.
const root = join(__dirname, '..', '..');
const cli = join(root, 'bin', 'convlab.js');

function workspace(trainLines: string): { file: string; runs: string } {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-cli-'));
  const file = join(dir, 'm.cnn');
  writeFileSync(file, `model M {\n  input 28x28x1\n  conv 4 3x3 relu\n  maxpool 2x2\n  flatten\n  dense 10 softmax\n}\ntrain M {\n  data mnist\n  ${trainLines}\n}\n`);
  return { file, runs: join(dir, 'runs') };
}

const parse = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as EngineEvent);

test('convlab train --json: one typed event per line, done with testAccuracy, exit 0', () => {
  const { file, runs } = workspace('epochs 1\n  batch 32\n  validation none');
  const result = spawnSync(process.execPath, [cli, 'train', file, '--json', '--limit', '192', '--runs-dir', runs], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const events = parse(result.stdout);
  assert.deepEqual(events.slice(0, 3).map((e) => e.type), ['start', 'backend', 'dataset']);
  const done = events.at(-1)!;
  assert.equal(done.type, 'done');
  if (done.type === 'done') assert.ok(done.testAccuracy > 0 && done.testAccuracy <= 1 && done.trainingSeconds > 0);
});

test('a model error is an error event with its location, exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-cli-'));
  const file = join(dir, 'bad.cnn');
  writeFileSync(file, 'model M {\n  input 8x8x1\n  conv 4 9x9\n}\n');
  const result = spawnSync(process.execPath, [cli, 'train', file, '--json'], { encoding: 'utf8' });
  assert.equal(result.status, 1);
  const [event] = parse(result.stdout);
  assert.equal(event!.type, 'error');
  if (event!.type === 'error') assert.deepEqual(event!.location, { file, line: 3, column: 3 });
});

test('a cancel line on stdin ends the run with a checkpoint and exit code 130', async () => {
  const { file, runs } = workspace('epochs 50\n  batch 16\n  validation none');
  const child = spawn(process.execPath, [cli, 'train', file, '--json', '--limit', '512', '--runs-dir', runs], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!sent && stdout.includes('"type":"batch"')) {
      sent = true;
      child.stdin.write('{"type":"cancel"}\n');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 130);
  const events = parse(stdout);
  const last = events.at(-1)!;
  assert.equal(last.type, 'cancelled');
  assert.ok(events.some((e) => e.type === 'checkpoint' && e.kind === 'last'));
});

test('bad flags are refused with a clear message', () => {
  const result = spawnSync(process.execPath, [cli, 'train', 'x.cnn', '--backend', 'tpu'], { encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /--backend must be one of cuda, webgpu, native, wasm, cpu, not 'tpu'/);
});

test('convlab serve-engine answers inspect requests as JSON lines and keeps the model', async () => {
  const child = spawn(process.execPath, [cli, 'serve-engine'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const replies: { id: number; result?: { filters?: { shape: number[] }; activations: { shape: number[] } }; error?: { message: string } }[] = [];
  let buffered = '';
  const waitFor = (n: number) => new Promise<void>((resolve) => {
    const check = () => (replies.length >= n ? resolve() : setTimeout(check, 20));
    check();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line) replies.push(JSON.parse(line));
  });
  const lenet = join(root, 'samples', 'lenet5.cnn');
  child.stdin.write(`${JSON.stringify({ id: 1, method: 'inspect', params: { file: lenet, layer: 'C1', sample: 3 } })}\n`);
  child.stdin.write(`${JSON.stringify({ id: 2, method: 'inspect', params: { file: lenet, layer: 'C3', sample: 3 } })}\n`);
  child.stdin.write(`${JSON.stringify({ id: 3, method: 'inspect', params: { file: lenet, layer: 'nope' } })}\n`);
  await waitFor(3);
  child.stdin.write(`${JSON.stringify({ id: 4, method: 'shutdown' })}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  assert.deepEqual(replies[0]!.result?.filters?.shape, [5, 5, 1, 6]);
  assert.deepEqual(replies[1]!.result?.activations.shape, [10, 10, 16]);
  assert.match(replies[2]!.error!.message, /no layer 'nope'/);
});

test('every command answers --help with its own usage lines, exit 0 (convlab inspect --help failed with "Unknown option")', () => {
  for (const command of ['summary', 'train', 'inspect', 'gradcam', 'eval', 'serve']) {
    const result = spawnSync(process.execPath, [cli, command, '--help'], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${command}: ${result.stderr}`);
    assert.match(result.stdout, new RegExp(`^Usage:\\n  convlab ${command} `), command);
  }
});

test('convlab inspect --out draws the feature maps and the filters as PNG grids for a report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-inspect-'));
  const picture = join(dir, 'c1.png');
  const result = spawnSync(process.execPath, [cli, 'inspect', join(root, 'samples', 'lenet5.cnn'), '--layer', 'C1', '--out', picture], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /pictures: .*c1\.png, .*c1-filters\.png/);
  // 6 maps of 28×28 at 4 pixels a value in a 3×2 grid, and 6 filters of 5×5 at 8, with 1-pixel gaps.
  const size = (file: string) => { const png = PNG.sync.read(readFileSync(file)); return [png.width, png.height]; };
  assert.deepEqual(size(picture), [3 * 113 + 1, 2 * 113 + 1]);
  assert.deepEqual(size(join(dir, 'c1-filters.png')), [3 * 41 + 1, 2 * 41 + 1]);
});
