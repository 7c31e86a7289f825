/**
 * The pytorch engine against the tfjs engine on samples/lenet5.cnn (all of MNIST, 5 epochs,
 * seed 42): both engines' test accuracy, the difference in points (the target: within 0.3),
 * and their training seconds; then one epoch on the pytorch engine in bf16 and in fp32 (the
 * target: within 0.5 points).
 * Run: npm run bench:engines -- --data-dir ../shared/data [--epochs N] [--part engines|precision|all]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EngineEventSchema, type DoneEvent, type EngineEvent } from '../src/protocol/engine';

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string' }, epochs: { type: 'string' }, part: { type: 'string', default: 'all' } },
});
const root = join(__dirname, '..');
const sample = join(root, 'samples', 'lenet5.cnn');

/** `convlab train --json` with its events checked; the done event, and the backend it reported. */
function convlab(file: string, args: string[]): Promise<{ done: DoneEvent; backend: string; wallSeconds: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'convlab.js'), 'train', file, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const events: EngineEvent[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) events.push(EngineEventSchema.parse(JSON.parse(line)));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      const done = events.find((e): e is DoneEvent => e.type === 'done');
      const backend = events.find((e) => e.type === 'backend');
      if (code !== 0 || !done) return reject(new Error(`convlab train ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      resolve({ done, backend: backend?.type === 'backend' ? `${backend.engine ?? 'tfjs'} ${backend.name}` : '?', wallSeconds: (performance.now() - started) / 1000 });
    });
  });
}

const points = (fraction: number) => (fraction * 100).toFixed(2);

async function main(): Promise<void> {
  const dataDir = values['data-dir'] ?? process.env.CONVLAB_DATA_DIR;
  if (!dataDir) throw new Error('give --data-dir (the folder holding mnist/) or CONVLAB_DATA_DIR');
  const runs = mkdtempSync(join(tmpdir(), 'convlab-bench-engines-'));
  const common = ['--data-dir', dataDir, '--runs-dir', runs, ...(values.epochs ? ['--epochs', values.epochs] : [])];
  console.log(`LeNet-5 on MNIST (samples/lenet5.cnn, seed 42${values.epochs ? `, ${values.epochs} epochs` : ''})`);
  if (values.part !== 'precision') {
    const torch = await convlab(sample, [...common, '--engine', 'pytorch']);
    console.log(`  pytorch (${torch.backend}): test accuracy ${points(torch.done.testAccuracy)}%, training ${torch.done.trainingSeconds.toFixed(1)} s (${torch.wallSeconds.toFixed(1)} s in all)`);
    const tfjs = await convlab(sample, [...common, '--engine', 'tfjs']);
    console.log(`  tfjs (${tfjs.backend}): test accuracy ${points(tfjs.done.testAccuracy)}%, training ${tfjs.done.trainingSeconds.toFixed(1)} s (${tfjs.wallSeconds.toFixed(1)} s in all)`);
    const difference = Math.abs(torch.done.testAccuracy - tfjs.done.testAccuracy) * 100;
    console.log(`  difference: ${difference.toFixed(2)} points (target: at most 0.3) ${difference <= 0.3 ? 'ok' : 'MISSED'}`);
  }
  if (values.part !== 'engines') {
    // One epoch, the sample's recipe otherwise, with the precision line added.
    const text = readFileSync(sample, 'utf8');
    const results: Record<string, DoneEvent> = {};
    for (const precision of ['fp32', 'bf16']) {
      const file = join(runs, `lenet5-${precision}.cnn`);
      writeFileSync(file, text.replace('  seed 42\n', `  seed 42\n  precision ${precision}\n`));
      const run = await convlab(file, [...common.filter((a, i, all) => a !== '--epochs' && all[i - 1] !== '--epochs'), '--engine', 'pytorch', '--epochs', '1']);
      results[precision] = run.done;
      console.log(`  one epoch, ${precision}: test accuracy ${points(run.done.testAccuracy)}%, training ${run.done.trainingSeconds.toFixed(1)} s`);
    }
    const difference = Math.abs(results.bf16!.testAccuracy - results.fp32!.testAccuracy) * 100;
    console.log(`  bf16 against fp32: ${difference.toFixed(2)} points (target: at most 0.5) ${difference <= 0.5 ? 'ok' : 'MISSED'}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
