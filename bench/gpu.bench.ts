/**
 * ConvLab on WebGPU against PyTorch, in the same run on the same card: training images/s of the
 * networks pinned in bench/networks/ (copies of the samples, so later sample changes do not move
 * the figures), on seeded random batches, a fixed number of warm-up and measured steps, the
 * median of 3 repetitions. PyTorch runs twice, with its defaults (cuDNN may use TF32 tensor
 * cores) and in strict fp32; the ratio that counts is against strict fp32. Then the dispatches
 * and read-backs of one ResNet18Cifar step. Without a GPU it says so, measures LeNet5 alone on
 * SwiftShader (WebGPU on the CPU), and prints wasm against PyTorch on the CPU.
 * Run: npm run bench:gpu [-- --warmup N --steps N --repeats N --budget SECONDS]
 * `--budget` bounds ConvLab's repetitions of one network: once that many seconds have passed,
 * no further repetition starts, and the line says how many were run (the GPU check's time cap).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyze } from '../src/language/passes/analyze';
import type { ModelGraph } from '../src/language/layer-graph';
import type { BackendName } from '../src/protocol/engine';
import { selectBackend } from '../src/engine/backends/select-backend';
import { measureThroughput } from '../src/engine/training/throughput';
import { countTrainingStep } from '../src/engine/training/step-work';
import { findPython } from './peer/pytorch';
import { hasCuda, runPeer, type PeerCase, type PeerResult } from './peer/gpu-peer';

const { values } = parseArgs({ options: {
  warmup: { type: 'string', default: '5' }, steps: { type: 'string', default: '20' }, repeats: { type: 'string', default: '3' }, budget: { type: 'string', default: 'Infinity' },
} });
const warmup = Number(values.warmup);
const steps = Number(values.steps);
const repeats = Number(values.repeats);
const budgetSeconds = Number(values.budget);

const GPU_CASES = [
  { file: 'lenet5.cnn', model: 'LeNet5', batch: 64 },
  { file: 'resnet18.cnn', model: 'ResNet18Cifar', batch: 128 },
  { file: 'googlenet.cnn', model: 'GoogLeNetCifar', batch: 128 },
  { file: 'resnet50.cnn', model: 'ResNet50', batch: 32 },
  { file: 'vgg16.cnn', model: 'VGG16', batch: 32 },
];

function network(file: string, model: string): ModelGraph {
  const graph = analyze(readFileSync(join(__dirname, 'networks', file), 'utf8')).models.find((m) => m.name === model);
  if (!graph) throw new Error(`bench/networks/${file} defines no model ${model}`);
  return graph;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The median over the repetitions that the budget let start. */
async function convlabRate(backend: BackendName, graph: ModelGraph, batch: number, run = { measured: steps, warmUp: warmup, repeats }): Promise<{ rate: number; note: string }> {
  await selectBackend({ force: backend });
  const rates: number[] = [];
  const started = performance.now();
  while (rates.length < run.repeats && (rates.length === 0 || (performance.now() - started) / 1000 < budgetSeconds)) {
    rates.push((await measureThroughput(graph, { batch, batches: run.measured, warmUp: run.warmUp })).imagesPerSecond);
  }
  return { rate: median(rates), note: rates.length < run.repeats ? ` (${rates.length} of ${run.repeats} repetitions: over the ${budgetSeconds} s budget)` : '' };
}

const fmt = (rate: number | undefined): string => (rate === undefined ? '-' : rate >= 100 ? rate.toFixed(0) : rate.toFixed(1));
const ratio = (ours: number, peer: PeerResult | undefined): string => (peer ? (ours / peer.imagesPerSecond).toFixed(3) : '-');

function peerRuns(cases: PeerCase[], device: 'cuda' | 'cpu', modes: boolean[]): Map<string, PeerResult>[] {
  const python = findPython();
  if (!python) {
    console.log('PyTorch: no python3 with torch and torchvision found; peer figures are missing');
    return modes.map(() => new Map());
  }
  return modes.map((strictFp32) => {
    const results = runPeer(python, cases, { device, strictFp32, warmup, steps, repeats });
    return new Map(results.map((r) => [r.model, r]));
  });
}

async function printStepWork(batch: number): Promise<void> {
  await selectBackend({ force: 'webgpu' });
  const { steady, first } = await countTrainingStep(network('resnet18.cnn', 'ResNet18Cifar'), batch);
  console.log(`ResNet18Cifar (${batch}) one training step on WebGPU: ${steady!.dispatches} dispatches, ${steady!.readBacks} read-backs, ${steady!.submits} queue submits, ${steady!.copies} buffer copies (the first step, with Adam's slots: ${first.dispatches} dispatches)`);
}

async function onGpu(reason: string): Promise<void> {
  console.log(`GPU: ${reason}`);
  console.log(`${warmup} warm-up and ${steps} measured steps, median of ${repeats}; Adam, random batches`);
  const python = findPython();
  const peerDevice = python && hasCuda(python) ? 'cuda' : 'cpu';
  if (peerDevice === 'cpu') console.log('PyTorch: torch sees no CUDA device here; its figures are on the CPU');
  const [defaults, strict] = peerRuns(GPU_CASES, peerDevice, [false, true]);
  const torchVersion = [...defaults!.values()][0]?.torch ?? '?';
  for (const { file, model, batch } of GPU_CASES) {
    const { rate: ours, note } = await convlabRate('webgpu', network(file, model), batch);
    const d = defaults!.get(model);
    const s = strict!.get(model);
    console.log(`${model} (${batch}): ConvLab webgpu ${fmt(ours)} images/s${note} · PyTorch ${torchVersion} ${peerDevice} defaults ${fmt(d?.imagesPerSecond)}, strict fp32 ${fmt(s?.imagesPerSecond)} · ConvLab/PyTorch strict fp32 ${ratio(ours, s)}, defaults ${ratio(ours, d)}`);
  }
  await printStepWork(128);
}

async function withoutGpu(reason: string): Promise<void> {
  console.log(`no GPU: ${reason}`);
  console.log(`LeNet5 only, on the CPU; ${warmup} warm-up and ${steps} measured steps, median of ${repeats}; Adam, random batches`);
  const lenet = network('lenet5.cnn', 'LeNet5');
  const [cpuPeer] = peerRuns([{ model: 'LeNet5', batch: 64 }], 'cpu', [false]);
  const { rate: wasm, note } = await convlabRate('wasm', lenet, 64);
  const p = cpuPeer!.get('LeNet5');
  console.log(`LeNet5 (64): ConvLab wasm ${fmt(wasm)} images/s${note} · PyTorch ${p?.torch ?? '?'} cpu ${fmt(p?.imagesPerSecond)} · ConvLab/PyTorch ${ratio(wasm, p)}`);
  try {
    // One short repetition: SwiftShader runs WGSL on the CPU, so this shows the path works, not its speed.
    const swiftshader = await convlabRate('webgpu', lenet, 64, { measured: 3, warmUp: 1, repeats: 1 });
    console.log(`LeNet5 (64): ConvLab webgpu on a software adapter ${fmt(swiftshader.rate)} images/s, 3 steps once (correctness only: WGSL on the CPU)`);
    await printStepWork(1);
  } catch (error) {
    console.log(`webgpu: not even a software adapter (${(error as Error).message})`);
  }
}

async function main(): Promise<void> {
  const chosen = await selectBackend();
  const webgpu = chosen.tried.find((t) => t.name === 'webgpu');
  if (chosen.name === 'webgpu') await onGpu(chosen.reason);
  else await withoutGpu(webgpu?.reason ?? `the ladder chose ${chosen.name}`);
}

main().then(() => process.exit(process.exitCode ?? 0), (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
