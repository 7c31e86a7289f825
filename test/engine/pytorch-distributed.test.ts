import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findTorchPython, pythonPackageDir } from '../../src/engine/pytorch/python';

/**
 * Two gloo processes on the CPU under torchrun train a model with batchnorm and dropout exactly
 * as one process trains it on the same global batch (python/convlab_torch/distributed.py: global
 * batchnorm statistics, dropout masks drawn for the global batch), and a cancel on rank 0's stdin
 * stops both after the same batch with a checkpoint from which the rest of the run resumes.
 */
const found = findTorchPython();
if (!found.python && process.env.CI) throw new Error(found.reason);
const python = found.python;
const script = join(__dirname, 'python', 'ddp_steps.py');
const dir = mkdtempSync(join(tmpdir(), 'convlab-ddp-'));
const started: ChildProcess[] = [];
after(() => {
  // A run that outlived a failed assertion or the timeout: end torchrun and its workers, its group.
  for (const child of started) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Line { type: string; step: number; loss?: number; statistics?: Record<string, number[]> }
interface Run { lines: Line[]; stderr: string; code: number | null }

/** Runs the script (under torchrun when `processes` is given); `onLine` may write to its stdin. */
function run(args: string[], processes?: number, onLine?: (line: Line, stdin: NodeJS.WritableStream) => void): Promise<Run> {
  const command = processes
    ? ['-m', 'convlab_torch.torchrun', '--standalone', '--nnodes', '1', '--nproc_per_node', String(processes), '--monitor_interval', '0.5', script, ...args]
    : [script, ...args];
  const child = spawn(python!, command, { env: { ...process.env, PYTHONPATH: pythonPackageDir(), OMP_NUM_THREADS: '1' }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  started.push(child);
  const lines: Line[] = [];
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
      const text = pending.slice(0, end).trim();
      pending = pending.slice(end + 1);
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as Line;
      lines.push(line);
      onLine?.(line, child.stdin);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ lines, stderr, code })));
}

const lossesOf = (r: Run) => new Map(r.lines.filter((l) => l.type === 'step').map((l) => [l.step, l.loss!]));

test('two gloo processes: the loss of each step is one process\'s on the global batch; a cancel stops both and the checkpoint resumes', { skip: python ? false : 'no Python with torch', timeout: 150_000 }, async () => {
  const single = await run(['--checkpoint', join(dir, 'one.pt')]);
  assert.equal(single.code, 0, single.stderr);
  const reference = lossesOf(single);
  assert.equal(reference.size, 8);

  const checkpoint = join(dir, 'two.pt');
  // A pause after each step gives the cancel line time to arrive before the run would end anyway.
  const cancelled = await run(['--checkpoint', checkpoint, '--step-delay', '0.3'], 2, (line, stdin) => {
    if (line.type === 'step' && line.step === 2) stdin.write('{"type":"cancel"}\n');
  });
  assert.equal(cancelled.code, 0, cancelled.stderr);
  const end = cancelled.lines.at(-1)!;
  assert.equal(end.type, 'cancelled', cancelled.stderr);
  assert.ok(end.step >= 2 && end.step < 8, `stopped after step ${end.step}`);
  for (const rank of [0, 1]) assert.match(cancelled.stderr, new RegExp(`rank ${rank} of 2 stopped after step ${end.step}(?!\\d)`), `rank ${rank} stops at the same batch`);

  const resumed = await run(['--checkpoint', checkpoint, '--resume'], 2);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.lines.at(-1)!.type, 'done');
  const two = new Map([...lossesOf(cancelled), ...lossesOf(resumed)]);
  assert.deepEqual([...two.keys()], [...reference.keys()], 'every step once: the resumed run starts after the cancelled one');
  for (const [step, loss] of reference) assert.ok(Math.abs(two.get(step)! - loss) <= 1e-5 * Math.max(1, Math.abs(loss)), `step ${step}: two processes ${two.get(step)}, one ${loss}`);

  // Global batchnorm also leaves the running statistics one process would have.
  const want = single.lines.at(-1)!.statistics!;
  const got = resumed.lines.at(-1)!.statistics!;
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  for (const [name, values] of Object.entries(want)) values.forEach((v, i) => assert.ok(Math.abs(got[name]![i]! - v) <= 1e-5 * Math.max(1, Math.abs(v)), `${name}[${i}]: ${got[name]![i]} vs ${v}`));
});
