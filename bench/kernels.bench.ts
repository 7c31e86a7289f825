/**
 * Training speed of LeNet-5 (batch 64, Adam 1e-3, random MNIST-shaped data) on tfjs's wasm
 * backend with our kernels, the JS backend with ours, and the JS backend as shipped; then a
 * per-kernel profile of one wasm step. Two variants: the Keras LeNet-5 (same-padded first conv,
 * tanh, average pooling, softmax output) and the PyTorch-course one (valid convs, relu, max
 * pooling, logits into softmax cross-entropy).
 * Run: node --import tsx bench/kernels.bench.ts [--batches 60] [--cpu-batches 4] [--stock-batches 1]
 *      [--variant keras|pytorch|both] [--skip-fit] [--skip-profile]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels, unregisterTrainingKernels } from '../src/engine/kernels';

const { values: opts } = parseArgs({
  options: {
    batches: { type: 'string', default: '60' },
    'cpu-batches': { type: 'string', default: '4' },
    'stock-batches': { type: 'string', default: '1' },
    variant: { type: 'string', default: 'both' },
    'skip-fit': { type: 'boolean', default: false },
    'skip-profile': { type: 'boolean', default: false },
  },
});

const BATCH = 64;
type Variant = 'keras' | 'pytorch';

function lenet(variant: Variant): tf.Sequential {
  const L = tf.layers;
  const m = tf.sequential();
  const keras = variant === 'keras';
  const act = keras ? 'tanh' : 'relu';
  const pool = () => (keras ? L.averagePooling2d({ poolSize: 2 }) : L.maxPooling2d({ poolSize: 2 }));
  m.add(L.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: keras ? 'same' : 'valid', activation: act }));
  m.add(pool());
  m.add(L.conv2d({ filters: 16, kernelSize: 5, activation: act }));
  m.add(pool());
  m.add(L.flatten());
  m.add(L.dense({ units: 120, activation: act }));
  m.add(L.dense({ units: 84, activation: act }));
  m.add(L.dense({ units: 10, activation: keras ? 'softmax' : 'linear' }));
  return m;
}

/** The loss each variant's course uses: Keras' on probabilities, PyTorch's on logits. */
function loss(variant: Variant, labels: tf.Tensor, out: tf.Tensor): tf.Scalar {
  return variant === 'keras'
    ? tf.mean(tf.metrics.categoricalCrossentropy(labels, out)) as tf.Scalar
    : tf.losses.softmaxCrossEntropy(labels, out) as tf.Scalar;
}

function randomBatch(): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => ({
    x: tf.randomUniform([BATCH, 28, 28, 1]),
    y: tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32') as tf.Tensor1D, 10),
  }));
}

/** A hand-written loop, as the engine runs it: minimize, then read the loss back. */
function minimizeStep(variant: Variant, model: tf.Sequential, opt: tf.Optimizer, b: { x: tf.Tensor; y: tf.Tensor }): number {
  const l = opt.minimize(() => loss(variant, b.y, model.apply(b.x) as tf.Tensor), true);
  const v = l!.dataSync()[0]!;
  l!.dispose();
  return v;
}

async function imagesPerSecond(variant: Variant, batches: number, warmup: number): Promise<{ minimize: number; fit?: number }> {
  const model = lenet(variant);
  const opt = tf.train.adam(1e-3);
  const data = Array.from({ length: Math.min(batches, 8) }, randomBatch);
  for (let i = 0; i < warmup; i++) minimizeStep(variant, model, opt, data[i % data.length]!);
  // Other work on a shared 2-core machine makes single runs noisy: report the median of three.
  const rounds = batches >= 8 ? 3 : 1;
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < batches; i++) minimizeStep(variant, model, opt, data[i % data.length]!);
    rates.push((batches * BATCH) / ((performance.now() - start) / 1000));
  }
  const minimize = rates.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
  let fit: number | undefined;
  if (!opts['skip-fit'] && batches >= 8) {
    model.compile({ optimizer: tf.train.adam(1e-3), loss: variant === 'keras' ? 'categoricalCrossentropy' : tf.losses.softmaxCrossEntropy });
    const x = tf.concat(data.map((d) => d.x));
    const y = tf.concat(data.map((d) => d.y));
    await model.fit(x, y, { batchSize: BATCH, epochs: 1, verbose: 0 });
    const epochs = Math.max(1, Math.round(batches / data.length));
    const t0 = performance.now();
    await model.fit(x, y, { batchSize: BATCH, epochs, verbose: 0, shuffle: false });
    fit = (epochs * data.length * BATCH) / ((performance.now() - t0) / 1000);
    tf.dispose([x, y]);
  }
  tf.dispose(data.flatMap((d) => [d.x, d.y]));
  model.dispose();
  return { minimize, fit };
}

/**
 * Wall time per kernel, by wrapping every kernel registered for the backend (tf.profile reads
 * back every output to check for NaNs, which distorts short kernels). Kernels that ours call
 * inside themselves are counted in their caller and listed apart.
 */
function timeKernels(backendName: string, run: () => void): { kernels: Map<string, { ms: number; calls: number }>; nested: Map<string, number> } {
  const kernels = new Map<string, { ms: number; calls: number }>();
  const nested = new Map<string, number>();
  const originals = tf.getKernelsForBackend(backendName);
  let depth = 0;
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const start = performance.now();
        depth++;
        try {
          return k.kernelFunc(args);
        } finally {
          depth--;
          const ms = performance.now() - start;
          if (depth > 0) nested.set(k.kernelName, (nested.get(k.kernelName) ?? 0) + ms);
          else {
            const e = kernels.get(k.kernelName) ?? { ms: 0, calls: 0 };
            kernels.set(k.kernelName, { ms: e.ms + ms, calls: e.calls + 1 });
          }
        }
      },
    });
  }
  try {
    run();
  } finally {
    for (const k of originals) {
      tf.unregisterKernel(k.kernelName, backendName);
      tf.registerKernel(k);
    }
  }
  return { kernels, nested };
}

async function profileStep(variant: Variant): Promise<void> {
  const model = lenet(variant);
  const opt = tf.train.adam(1e-3);
  const b = randomBatch();
  for (let i = 0; i < 5; i++) minimizeStep(variant, model, opt, b);
  const steps = 20;
  let wall = 0;
  const { kernels, nested } = timeKernels('wasm', () => {
    const start = performance.now();
    for (let i = 0; i < steps; i++) minimizeStep(variant, model, opt, b);
    wall = (performance.now() - start) / steps;
  });
  const total = [...kernels.values()].reduce((sum, e) => sum + e.ms, 0) / steps;
  const calls = [...kernels.values()].reduce((sum, e) => sum + e.calls, 0) / steps;
  console.log(`  one ${variant} step on wasm (timed kernel by kernel): ${wall.toFixed(1)} ms, ${total.toFixed(1)} ms of it in ${calls} kernel calls`);
  for (const [name, e] of [...kernels].sort((p, q) => q[1].ms - p[1].ms).slice(0, 12)) {
    console.log(`    ${name.padEnd(24)} ${(e.ms / steps).toFixed(2).padStart(6)} ms  ${String(Math.round(e.calls / steps)).padStart(3)} calls`);
  }
  const inside = [...nested].map(([n, ms]) => `${n} ${(ms / steps).toFixed(2)}`).join(', ');
  if (inside) console.log(`    (run inside ours, ms: ${inside})`);
  tf.dispose([b.x, b.y]);
  model.dispose();
}

const fmt = (r: { minimize: number; fit?: number }): string =>
  `${r.minimize.toFixed(0)} img/s (minimize loop)` + (r.fit === undefined ? '' : `, ${r.fit.toFixed(0)} img/s (model.fit)`);

async function main(): Promise<void> {
  const variants: Variant[] = opts.variant === 'both' ? ['keras', 'pytorch'] : [opts.variant as Variant];
  await tf.setBackend('wasm');
  console.log(`wasm: SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}; registered ${registerTrainingKernels('wasm').join(', ')}`);
  for (const v of variants) {
    await tf.setBackend('wasm');
    console.log(`LeNet-5 ${v}, batch ${BATCH}, Adam 1e-3`);
    console.log(`  wasm + ours:      ${fmt(await imagesPerSecond(v, Number(opts.batches), 5))}`);
    if (!opts['skip-profile']) await profileStep(v);
    await tf.setBackend('cpu');
    registerTrainingKernels('cpu');
    const cpuBatches = Number(opts['cpu-batches']);
    if (cpuBatches > 0) console.log(`  cpu + ours:       ${fmt(await imagesPerSecond(v, cpuBatches, 1))}`);
    unregisterTrainingKernels('cpu');
    const stockBatches = Number(opts['stock-batches']);
    if (stockBatches > 0) console.log(`  cpu, stock tfjs:  ${fmt(await imagesPerSecond(v, stockBatches, 1))}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
