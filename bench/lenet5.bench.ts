/**
 * ConvLab against the assignment's PyTorch script (Debian's python3-torch), same network, data
 * and machine: images per second in alternating pairs, the median ratio, and with --full both
 * 5-epoch runs (test accuracy and seconds).
 * Run: npm run bench:lenet5 -- --data-dir ../shared/data [--pairs 3] [--batches 300] [--full] [--backend NAME]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EngineEvent } from '../src/protocol/engine';
import { findPython, prepareTorchvisionMnist, runPytorchFull, runPytorchTiming } from './peer/pytorch';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' }, pairs: { type: 'string', default: '3' }, batches: { type: 'string', default: '300' },
    full: { type: 'boolean', default: false }, backend: { type: 'string' },
  },
});
const root = join(__dirname, '..');
const model = join(__dirname, 'lenet5-assignment.cnn');
const WARM_UP_BATCHES = 20;
const BATCH = 64;

/** Runs `convlab train --json` and collects its events with their arrival times. */
function convlab(args: string[]): Promise<{ events: EngineEvent[]; times: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'convlab.js'), 'train', model, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const events: EngineEvent[] = [];
    const times: number[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        events.push(JSON.parse(line) as EngineEvent);
        times.push(performance.now());
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve({ events, times }) : reject(new Error(`convlab train exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

/** Training images per second after the warm-up batches, from the batch events' arrival times. */
async function convlabImagesPerSecond(dataDir: string, batches: number, runs: string): Promise<{ imagesPerSecond: number; backend: string }> {
  const extra = values.backend ? ['--backend', values.backend] : [];
  const { events, times } = await convlab(['--data-dir', dataDir, '--epochs', '1', '--limit', String((batches + WARM_UP_BATCHES) * BATCH), '--runs-dir', runs, ...extra]);
  const backend = events.find((e) => e.type === 'backend');
  const marks = events.map((e, i) => ({ e, t: times[i]! })).filter((m) => m.e.type === 'batch') as { e: Extract<EngineEvent, { type: 'batch' }>; t: number }[];
  const first = marks.find((m) => m.e.batch >= WARM_UP_BATCHES)!;
  const last = marks.at(-1)!;
  return { imagesPerSecond: ((last.e.batch - first.e.batch) * BATCH) / ((last.t - first.t) / 1000), backend: backend?.type === 'backend' ? backend.name : '?' };
}

async function main(): Promise<void> {
  const dataDir = values['data-dir'] ?? process.env.CONVLAB_DATA_DIR;
  if (!dataDir) throw new Error('give the data folder with --data-dir DIR or CONVLAB_DATA_DIR (it must hold mnist/*-ubyte.gz)');
  const python = findPython();
  if (!python) throw new Error('no python3 with torch and torchvision: apt-get install python3-torch python3-torchvision');
  const work = mkdtempSync(join(tmpdir(), 'convlab-bench-'));
  const torchRoot = prepareTorchvisionMnist(dataDir, join(work, 'torch'));
  const batches = Number(values.batches);
  const ratios: number[] = [];
  for (let pair = 1; pair <= Number(values.pairs); pair++) {
    const ours = await convlabImagesPerSecond(dataDir, batches, join(work, 'runs'));
    const peer = await runPytorchTiming(python, torchRoot, batches);
    const ratio = ours.imagesPerSecond / peer.imagesPerSecond;
    ratios.push(ratio);
    console.log(`pair ${pair}: ConvLab (${ours.backend}) ${ours.imagesPerSecond.toFixed(0)} images/s · PyTorch ${peer.torch} (${peer.threads} thread${peer.threads > 1 ? 's' : ''}) ${peer.imagesPerSecond.toFixed(0)} images/s · ratio ${ratio.toFixed(3)}`);
  }
  if (values.full) {
    const { events } = await convlab(['--data-dir', dataDir, '--runs-dir', join(work, 'runs'), ...(values.backend ? ['--backend', values.backend] : [])]);
    const done = events.find((e) => e.type === 'done');
    const peer = await runPytorchFull(python, torchRoot);
    if (done?.type === 'done') console.log(`full 5 epochs: ConvLab ${(done.testAccuracy * 100).toFixed(2)}% in ${done.trainingSeconds.toFixed(1)} s · PyTorch ${(peer.accuracy * 100).toFixed(2)}% in ${peer.seconds.toFixed(1)} s`);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(`ratio ConvLab/PyTorch images per second: ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
