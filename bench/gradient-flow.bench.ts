/**
 * What recording gradient flow costs: LeNet-5 and ResNet18Cifar training on the wasm backend
 * (the engine's own TrainingStep on random data of the right shape), without recording and with
 * it at the default interval (every 20th step, gradient-flow.ts), in one run: two copies of the
 * model take turns step by step, so a machine shared with other work slows both alike; the
 * first interval is a warm-up and is not counted.
 * Run: npm run bench:gradient-flow -- [--blocks 6] [--resnet-blocks 2] [--resnet-batch 8] [--interval 20]
 * (blocks: intervals counted after the warm-up; ResNet18Cifar's step at batch 8 is seconds on wasm)
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/engine/backends/select-backend';
import { loadModelFile } from '../src/engine/model/model-file';
import { compileModel } from '../src/engine/model/compile';
import { DEFAULT_GRADIENT_FLOW_INTERVAL } from '../src/engine/training/gradient-flow';
import { makeOptimizer } from '../src/engine/training/optimizers';
import { TrainingStep } from '../src/engine/training/step';

const { values } = parseArgs({
  options: {
    blocks: { type: 'string', default: '6' }, 'resnet-blocks': { type: 'string', default: '2' },
    'resnet-batch': { type: 'string', default: '8' }, interval: { type: 'string', default: String(DEFAULT_GRADIENT_FLOW_INTERVAL) },
  },
});
const samples = join(__dirname, '..', 'samples');
const interval = Number(values.interval);

interface Case {
  label: string;
  file: string;
  model: string;
  batch: number;
  blocks: number;
}

async function measure({ file, model, batch, blocks }: Case): Promise<{ without: number; withFlow: number; steps: number; perStep: number }> {
  const { graph } = loadModelFile(join(samples, file), model);
  const input = graph.nodes[0]!.outputShape!;
  const classes = graph.nodes[graph.outputs[0]!.node]!.outputShape![0]!;
  const x = Float32Array.from({ length: batch * input.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 2654435761) % 1000) / 1000);
  const labels = Int32Array.from({ length: batch }, (_, i) => i % classes);
  // Two copies of the model from the same seed: one trains without recording, one with.
  const steps = [false, true].map((record) => {
    const compiled = compileModel(graph, { seed: 1 });
    const step = new TrainingStep(compiled, makeOptimizer({ name: 'adam', lr: 0.001, momentum: 0, nesterov: false, decay: 0, beta1: 0.9, beta2: 0.999 }), {
      kinds: compiled.outputKinds, lossWeights: compiled.lossWeights, classCount: classes, labelSmoothing: 0, weightDecay: 0,
    });
    if (record) step.recordGradientFlow(graph, () => 0);
    return { step, record };
  });
  const seconds = { without: 0, withFlow: 0 };
  /** Per recording step: its time over the plain step run just before it, on the other copy. */
  const extras: number[] = [];
  const plainSteps: number[] = [];
  const [plain, recording] = steps.map((s) => s.step);
  const total = (blocks + 1) * interval;
  for (let k = 0; k < total; k++) {
    // Step by step in turn, so a machine busy with other work slows both copies alike, and
    // each first on every other step (the second of a pair pays for the first's garbage).
    const timePlain = async () => {
      const started = performance.now();
      await plain!.run(x, labels, batch);
      return (performance.now() - started) / 1000;
    };
    const timeRecording = async () => {
      const started = performance.now();
      if (k % interval === 0) await recording!.runRecording(x, labels, batch, { epoch: 1, batch: k + 1, step: k + 1 });
      else await recording!.run(x, labels, batch);
      return (performance.now() - started) / 1000;
    };
    let plainTime: number;
    let recordingTime: number;
    if (k % 2 === 0) {
      plainTime = await timePlain();
      recordingTime = await timeRecording();
    } else {
      recordingTime = await timeRecording();
      plainTime = await timePlain();
    }
    if (k % interval === interval - 1) process.stderr.write('.');
    // The first interval warms both up (kernels, optimizer slots, the probe's model).
    if (k < interval) continue;
    seconds.without += plainTime;
    seconds.withFlow += recordingTime;
    plainSteps.push(plainTime);
    if (k % interval === 0) extras.push(recordingTime - plainTime);
  }
  process.stderr.write('\n');
  // The recording step's own cost, spread over its interval: less exposed to a busy machine than
  // the difference of two totals.
  const perStep = median(extras) / (interval * median(plainSteps));
  return { ...seconds, steps: total - interval, perStep };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const backend = await selectBackend({ force: 'wasm' });
  console.log(`Gradient-flow recording overhead on ${backend.name}, recording every ${interval} steps (${backend.reason.split(';')[0]})`);
  const cases: Case[] = [
    { label: 'LeNet-5 (batch 64)', file: 'lenet5.cnn', model: 'LeNet5', batch: 64, blocks: Number(values.blocks) },
    { label: `ResNet18Cifar (batch ${values['resnet-batch']})`, file: 'resnet18.cnn', model: 'ResNet18Cifar', batch: Number(values['resnet-batch']), blocks: Number(values['resnet-blocks']) },
  ];
  const rows: string[] = [];
  for (const c of cases) {
    const { without, withFlow, steps, perStep } = await measure(c);
    const overhead = (withFlow / without - 1) * 100;
    rows.push(`${c.label.padEnd(28)} ${String(steps).padStart(4)} steps each: without ${without.toFixed(2).padStart(7)} s, with ${withFlow.toFixed(2).padStart(7)} s: overhead ${overhead.toFixed(2).padStart(6)}% ` +
      `(recording step's own extra time / ${interval} steps: ${(perStep * 100).toFixed(2)}%) ${Math.max(overhead, perStep * 100) < 5 ? 'under 5%' : 'OVER 5%'}`);
    console.log(rows.at(-1));
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
