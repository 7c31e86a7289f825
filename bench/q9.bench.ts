/**
 * Question 9 as the assignment asks it, ConvLab against the assignment's own PyTorch script:
 * samples/googlenet.cnn's GoogLeNetCifar (the recipe: torchvision's GoogLeNet with aux heads,
 * Adam 1e-3, batch 128, flip and crop, the assignment's normalisation) and
 * bench/peer/googlenet_q9_assignment.py (Debian's python3-torch; CUDA where the machine has it)
 * train on the same CIFAR-10 training images (the `limit` subset ConvLab picks) and validate on
 * all 10,000 test images after each epoch, as the assignment does. Prints each run's final
 * validation accuracy, then both means and spreads over the seeds.
 * Run: npm run bench:q9 -- --data-dir ../shared/data [--limit 5000] [--epochs 2] [--seeds 3] [--backend NAME] [--workers N] [--only convlab|pytorch] [--work DIR]
 * (--workers: ConvLab's replica threads on the CPU backends, 2 on 2+ cores as the CLI; --work keeps
 * the extracted images and run folders there instead of a temporary folder removed at the end.)
 * Full size, for a GPU machine: npm run bench:q9 -- --data-dir DIR --limit 50000 --epochs 10 --seeds 1
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readImageMembers } from '../src/engine/data/image-archive';
import { limitedPositions } from '../src/engine/data/split';
import type { BackendName, EngineEvent } from '../src/protocol/engine';
import { train } from '../src/engine/training/trainer';
import { findPython } from './peer/pytorch';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' }, limit: { type: 'string', default: '5000' }, epochs: { type: 'string', default: '2' }, seeds: { type: 'string', default: '3' },
    backend: { type: 'string' }, only: { type: 'string' }, work: { type: 'string' }, workers: { type: 'string', default: String(Math.min(2, availableParallelism())) },
  },
});
const SAMPLE = join(__dirname, '..', 'samples', 'googlenet.cnn');
const PEER = join(__dirname, 'peer', 'googlenet_q9_assignment.py');
const TRAIN_IMAGES = 50_000;

interface RunResult {
  seed: number;
  /** Validation accuracy after each epoch, in percent. */
  validation: number[];
  seconds: number;
}

/** ConvLab, in this process: the sample's train section with the bench's epochs, limit and seed. */
async function convlab(dataDir: string, epochs: number, limit: number, seed: number, runsDir: string): Promise<RunResult> {
  const validation: number[] = [];
  const started = performance.now();
  let backend = '';
  await train({
    file: SAMPLE, model: 'GoogLeNetCifar', epochs, limit, seed, dataDir, runsDir, evaluateAll: true, backend: values.backend as BackendName | undefined, workers: Number(values.workers),
    onEvent: (event: EngineEvent) => {
      if (event.type === 'backend') backend = event.name;
      if (event.type === 'epochEnd') {
        validation.push(event.valAccuracy! * 100);
        log(`  convlab seed ${seed} (${backend}) epoch ${event.epoch}: train ${(event.accuracy * 100).toFixed(2)}%, validation ${(event.valAccuracy! * 100).toFixed(2)}%, ${event.seconds.toFixed(0)} s`);
      }
      if (event.type === 'error') throw new Error(event.message);
    },
  });
  return { seed, validation, seconds: (performance.now() - started) / 1000 };
}

/** The assignment's script on the same images: ImageFolder positions are ConvLab's listing order. */
function pytorch(python: string, root: string, epochs: number, limit: number, seed: number, work: string): Promise<RunResult> {
  const indices = join(work, `indices-${limit}.json`);
  if (limit < TRAIN_IMAGES) writeFileSync(indices, JSON.stringify(Array.from(limitedPositions(TRAIN_IMAGES, limit))));
  const args = [PEER, root, String(epochs), String(seed), ...(limit < TRAIN_IMAGES ? [indices] : [])];
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const validation: number[] = [];
    let stderr = '';
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines.filter((l) => l.startsWith('{'))) {
        const epoch = JSON.parse(line) as { epoch: number; train_acc: number; val_acc: number; seconds: number };
        validation.push(epoch.val_acc);
        log(`  pytorch seed ${seed} epoch ${epoch.epoch}: train ${epoch.train_acc.toFixed(2)}%, validation ${epoch.val_acc.toFixed(2)}%, ${epoch.seconds.toFixed(0)} s in all`);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolvePromise({ seed, validation, seconds: (performance.now() - started) / 1000 }) : reject(new Error(`the PyTorch peer exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

/** The JPEG copy of CIFAR-10 as ImageFolder reads it: train/<class>/*.jpg and test/<class>/*.jpg under `root`. */
async function extractCifar(dataDir: string, root: string): Promise<void> {
  const done = join(root, '.complete');
  if (existsSync(done)) return;
  const archive = join(dataDir, 'cifar10', 'cifar10-jpg.tar.gz');
  if (!existsSync(archive)) throw new Error(`${archive} is absent: --data-dir must hold cifar10/cifar10-jpg.tar.gz (see ../shared/data/README.md)`);
  const members = await readImageMembers(archive);
  for (const [name, body] of members) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), body);
  }
  writeFileSync(done, `${members.size} images from ${archive}\n`);
}

function summary(name: string, runs: RunResult[]): { mean: number; sd: number } {
  const finals = runs.map((r) => r.validation.at(-1)!);
  const mean = finals.reduce((a, b) => a + b, 0) / finals.length;
  const sd = finals.length > 1 ? Math.sqrt(finals.reduce((a, b) => a + (b - mean) ** 2, 0) / (finals.length - 1)) : 0;
  const seconds = runs.reduce((a, r) => a + r.seconds, 0) / runs.length;
  log(`${name.padEnd(8)} final validation accuracy ${mean.toFixed(2)}% ± ${sd.toFixed(2)} (sample sd; min ${Math.min(...finals).toFixed(2)}, max ${Math.max(...finals).toFixed(2)}; runs ${finals.map((f) => f.toFixed(2)).join(', ')}) · ${seconds.toFixed(0)} s a run`);
  return { mean, sd };
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const dataDir = resolve(values['data-dir'] ?? process.env.CONVLAB_DATA_DIR ?? join(__dirname, '..', '..', 'shared', 'data'));
  const [limit, epochs, seeds] = [Number(values.limit), Number(values.epochs), Number(values.seeds)];
  if (![limit, epochs, seeds].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--limit, --epochs and --seeds take whole numbers above 0');
  const work = values.work ?? mkdtempSync(join(tmpdir(), 'convlab-q9-'));
  log(`question 9: GoogLeNetCifar, ${Math.min(limit, TRAIN_IMAGES).toLocaleString('en-US')} training images, ${epochs} epochs, seeds 1…${seeds}, validation on the 10,000 test images`);
  const convlabRuns: RunResult[] = [];
  const pytorchRuns: RunResult[] = [];
  const python = values.only === 'convlab' ? undefined : findPython();
  if (values.only !== 'convlab' && !python) throw new Error('no python3 with torch and torchvision: install Debian\'s python3-torch and python3-torchvision');
  if (python) await extractCifar(dataDir, join(work, 'cifar10'));
  for (let seed = 1; seed <= seeds; seed++) {
    if (values.only !== 'pytorch') convlabRuns.push(await convlab(dataDir, epochs, limit, seed, join(work, 'runs')));
    if (python) pytorchRuns.push(await pytorch(python, join(work, 'cifar10'), epochs, limit, seed, work));
  }
  const ours = convlabRuns.length ? summary('ConvLab', convlabRuns) : undefined;
  const theirs = pytorchRuns.length ? summary('PyTorch', pytorchRuns) : undefined;
  if (ours && theirs) log(`difference of the means: ${(ours.mean - theirs.mean).toFixed(2)} points (ConvLab − PyTorch)`);
  if (!values.work) rmSync(work, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
