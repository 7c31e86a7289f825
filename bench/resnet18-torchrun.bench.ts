/**
 * ConvLab's pytorch engine against plain PyTorch: samples/resnet18.cnn's ResNet18Cifar trained by
 * `convlab train --engine pytorch --gpus 1` (one process under torchrun, DataParallel) and by
 * bench/peer/resnet18_cifar_plain.py, the same network, recipe and batch in a plain script, both
 * on the CIFAR-10 copy (cifar10/cifar10-jpg.tar.gz under --data-dir). Prints each epoch's training
 * seconds, the steady-state epoch time of each (the mean of the epochs after the first, which
 * pays for cuDNN's autotuning and the first allocations), and their ratio: ConvLab's overhead.
 *
 * Run on a GPU machine: npm run bench:torchrun -- --data-dir ../shared/data [--epochs 3] [--gpus 1]
 * A check that it runs, on a CPU: npm run bench:torchrun -- --limit 256 --epochs 2
 * (--limit caps ConvLab's training, validation and test examples, and the peer's training images.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findTrainingPython } from '../src/engine/pytorch/training/discovery';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' }, epochs: { type: 'string', default: '3' }, limit: { type: 'string' }, gpus: { type: 'string', default: '1' },
    python: { type: 'string' }, only: { type: 'string' },
  },
});
const ROOT = join(__dirname, '..');
const SAMPLE = join(ROOT, 'samples', 'resnet18.cnn');
const PEER = join(__dirname, 'peer', 'resnet18_cifar_plain.py');
const BATCH = 128;

/** Runs a program and hands each JSON line of its stdout to `onLine`; rejects with its stderr's tail. */
function run(command: string, args: string[], onLine: (line: Record<string, unknown>) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines.filter((l) => l.startsWith('{'))) onLine(JSON.parse(line) as Record<string, unknown>);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.slice(0, 3).join(' ')} … exited ${code}:\n${stderr}`))));
  });
}

async function convlab(dataDir: string, epochs: number, limit: number | undefined, gpus: number, python: string, runsDir: string): Promise<number[]> {
  const seconds: number[] = [];
  const args = [join(ROOT, 'bin', 'convlab.js'), 'train', SAMPLE, '--model', 'ResNet18Cifar', '--engine', 'pytorch', '--python', python, '--gpus', String(gpus),
    '--epochs', String(epochs), '--batch', String(BATCH), '--json', '--data-dir', dataDir, '--runs-dir', runsDir, ...(limit ? ['--limit', String(limit)] : [])];
  await run(process.execPath, args, (event) => {
    if (event.type === 'backend') log(`convlab: ${String(event.reason)} (device ${String(event.device)})`);
    if (event.type === 'epochEnd') {
      seconds.push(event.seconds as number);
      log(`  convlab epoch ${String(event.epoch)}: ${(event.seconds as number).toFixed(2)} s, ${String(event.examplesPerSecond)} images/s, loss ${(event.loss as number).toFixed(3)}`);
    }
    if (event.type === 'error') throw new Error(String(event.message));
  });
  return seconds;
}

async function plain(python: string, dataDir: string, epochs: number, limit: number | undefined): Promise<number[]> {
  const seconds: number[] = [];
  const args = [PEER, join(dataDir, 'cifar10', 'cifar10-jpg.tar.gz'), '--epochs', String(epochs), '--batch', String(BATCH), ...(limit ? ['--limit', String(limit)] : [])];
  await run(python, args, (line) => {
    if ('load' in line) log(`plain: ${String(line.images)} images decoded in ${String(line.load)} s, torch ${String(line.torch)} on ${String(line.device)}`);
    if ('epoch' in line) {
      seconds.push(line.seconds as number);
      log(`  plain epoch ${String(line.epoch)}: ${(line.seconds as number).toFixed(2)} s, ${String(line.imagesPerSecond)} images/s, loss ${(line.loss as number).toFixed(3)}`);
    }
  });
  return seconds;
}

/** The mean of the epochs after the first (the first alone when there is only one). */
function steady(seconds: number[]): number {
  const after = seconds.length > 1 ? seconds.slice(1) : seconds;
  return after.reduce((a, b) => a + b, 0) / after.length;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const dataDir = resolve(values['data-dir'] ?? process.env.CONVLAB_DATA_DIR ?? join(ROOT, '..', 'shared', 'data'));
  const epochs = Number(values.epochs);
  const gpus = Number(values.gpus);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (![epochs, gpus, limit ?? 1].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--epochs, --gpus and --limit take whole numbers above 0');
  const search = findTrainingPython(values.python);
  if (!search.found) throw new Error(`no Python with torch: tried ${search.tried.join('; ')}`);
  const python = search.found.python;
  log(`ResNet18Cifar, batch ${BATCH}, ${epochs} epochs${limit ? `, ${limit} images` : ''}: ConvLab (--engine pytorch --gpus ${gpus}, torchrun) against plain PyTorch, torch ${search.found.torch} at ${python}`);
  const work = mkdtempSync(join(tmpdir(), 'convlab-torchrun-bench-'));
  try {
    const ours = values.only === 'plain' ? [] : await convlab(dataDir, epochs, limit, gpus, python, join(work, 'runs'));
    const theirs = values.only === 'convlab' ? [] : await plain(python, dataDir, epochs, limit);
    const result: Record<string, number> = {};
    if (ours.length) result.convlabSteadyEpochSeconds = Number(steady(ours).toFixed(3));
    if (theirs.length) result.plainSteadyEpochSeconds = Number(steady(theirs).toFixed(3));
    if (ours.length && theirs.length) {
      result.ratio = Number((steady(ours) / steady(theirs)).toFixed(3));
      log(`steady-state epoch: ConvLab ${steady(ours).toFixed(2)} s, plain PyTorch ${steady(theirs).toFixed(2)} s: ratio ${result.ratio} (ConvLab's overhead ${((result.ratio - 1) * 100).toFixed(1)}%)`);
    }
    log(JSON.stringify(result));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
