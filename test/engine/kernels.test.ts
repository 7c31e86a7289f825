// Our training kernels against tfjs's own JS-backend kernels (the stock ones, saved when ours
// replaced them) on seeded random shapes: strides 1-3, valid/same/numeric/explicit padding,
// dilation 1-2, batch 1-4, relative error under 1e-5. Stock kernels ignore dilation, so dilated
// references run the stock kernel on the equivalent zero-inserted filter; stock AvgPoolGrad is
// wrong where windows overlap padding, so there ours is checked as the adjoint of stock avgPool.
// Then whole training steps on wasm.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { patchLimits, registerTrainingKernels, stockKernel } from '../../src/engine/kernels';
import { seededRandom } from '../../src/engine/data/random';

type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];
type Backend = 'cpu' | 'wasm';
type Inputs = Record<string, { shape: number[]; data: Float32Array }>;

const TOLERANCE = 1e-5;

const rng = seededRandom;
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const values = (r: () => number, shape: number[]): Float32Array =>
  Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);

function relativeError(ours: ArrayLike<number>, ref: ArrayLike<number>): number {
  assert.equal(ours.length, ref.length, 'output sizes differ');
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = ours[i]! - ref[i]!;
    num += d * d;
    den += ref[i]! * ref[i]!;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/** Runs whatever kernel is registered for `backend` now (ours, once registered). */
async function runRegistered(backend: Backend, kernel: string, inputs: Inputs, attrs: object): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const ts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
    const out = tf.engine().runKernel(kernel, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}

/** Runs tfjs's own JS-backend kernel, even where ours has replaced it. */
async function runStockCpu(kernel: string, inputs: Inputs, attrs: object): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const config = stockKernel(kernel, 'cpu');
  assert.ok(config, `no stock cpu kernel ${kernel}`);
  const backend = tf.backend();
  return tf.tidy(() => {
    const infos = Object.fromEntries(Object.entries(inputs).map(([k, v]) => {
      const t = tf.tensor(v.data, v.shape);
      return [k, { dataId: t.dataId, shape: t.shape, dtype: t.dtype }];
    }));
    const out = config.kernelFunc({ inputs: infos, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
    const result = Float32Array.from(backend.readSync(out.dataId) as Float32Array);
    backend.disposeData(out.dataId);
    return result;
  });
}

interface ConvCase {
  label: string;
  xShape: Shape4;
  fShape: Shape4;
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  dyShape: Shape4;
}

function randomPad(r: () => number): Pad {
  switch (int(r, 0, 3)) {
    case 0: return 'valid';
    case 1: return 'same';
    case 2: return int(r, 0, 2);
    default: return [[0, 0], [int(r, 0, 3), int(r, 0, 2)], [int(r, 0, 2), int(r, 0, 3)], [0, 0]];
  }
}

function convCases(seed: number, count: number, depthwise: boolean): ConvCase[] {
  const r = rng(seed);
  const cases: ConvCase[] = [];
  while (cases.length < count) {
    const kH = int(r, 1, 4);
    const kW = int(r, 1, 4);
    const dilations: [number, number] = [int(r, 1, 2), int(r, 1, 2)];
    const strides: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
    const inC = int(r, 1, 4);
    const xShape: Shape4 = [int(r, 1, 4), int(r, 3, 12), int(r, 3, 12), inC];
    const fShape: Shape4 = [kH, kW, inC, depthwise ? int(r, 1, 3) : int(r, 1, 5)];
    const pad = randomPad(r);
    let info: tf.backend_util.Conv2DInfo;
    try {
      info = tf.backend_util.computeConv2DInfo(xShape, fShape, strides, dilations, pad, undefined, depthwise);
    } catch {
      continue;
    }
    if (info.outHeight < 1 || info.outWidth < 1) continue;
    const label = `x ${xShape} f ${fShape} s ${strides} d ${dilations} pad ${JSON.stringify(pad)}`;
    cases.push({ label, xShape, fShape, strides, dilations, pad, dyShape: info.outShape });
  }
  return cases;
}

/** The undilated filter equivalent to `f` dilated by `d`: zeros between the taps. */
function dilateFilter(f: Float32Array, shape: Shape4, d: [number, number]): { data: Float32Array; shape: Shape4 } {
  const [kH, kW, c, m] = shape;
  const eH = (kH - 1) * d[0] + 1;
  const eW = (kW - 1) * d[1] + 1;
  const out = new Float32Array(eH * eW * c * m);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const src = (kh * kW + kw) * c * m;
      out.set(f.subarray(src, src + c * m), (kh * d[0] * eW + kw * d[1]) * c * m);
    }
  }
  return { data: out, shape: [eH, eW, c, m] };
}

/** The taps of an undilated-filter gradient that a dilated filter actually has. */
function undilateGrad(g: Float32Array, shape: Shape4, d: [number, number]): Float32Array {
  const [kH, kW, c, m] = shape;
  const eW = (kW - 1) * d[1] + 1;
  const out = new Float32Array(kH * kW * c * m);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const src = (kh * d[0] * eW + kw * d[1]) * c * m;
      out.set(g.subarray(src, src + c * m), (kh * kW + kw) * c * m);
    }
  }
  return out;
}

async function checkFilterGrad(kernel: string, backend: Backend, c: ConvCase, depthwise: boolean, seed: number): Promise<void> {
  const r = rng(seed);
  const x = values(r, c.xShape);
  const dy = values(r, c.dyShape);
  const inputs: Inputs = { x: { shape: c.xShape, data: x }, dy: { shape: c.dyShape, data: dy } };
  const base = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
  const ours = await runRegistered(backend, kernel, inputs, { ...base, dilations: c.dilations, filterShape: c.fShape });
  const eShape = dilateFilter(new Float32Array(c.fShape.reduce((a, b) => a * b)), c.fShape, c.dilations).shape;
  const refAttrs = { ...base, dilations: 1, filterShape: eShape };
  const ref = undilateGrad(await runStockCpu(kernel, inputs, refAttrs), c.fShape, c.dilations);
  const err = relativeError(ours, ref);
  assert.ok(err < TOLERANCE, `${kernel} on ${backend}, ${c.label}${depthwise ? ' (depthwise)' : ''}: relative error ${err}`);
}

async function checkInputGrad(kernel: string, backend: Backend, c: ConvCase, seed: number): Promise<void> {
  const r = rng(seed);
  const f = values(r, c.fShape);
  const dy = values(r, c.dyShape);
  const base = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: c.xShape };
  const ours = await runRegistered(backend, kernel, { dy: { shape: c.dyShape, data: dy }, filter: { shape: c.fShape, data: f } },
    { ...base, dilations: c.dilations });
  const e = dilateFilter(f, c.fShape, c.dilations);
  const ref = await runStockCpu(kernel, { dy: { shape: c.dyShape, data: dy }, filter: e }, { ...base, dilations: 1 });
  const err = relativeError(ours, ref);
  assert.ok(err < TOLERANCE, `${kernel} on ${backend}, ${c.label}: relative error ${err}`);
}

before(async () => {
  await tf.setBackend('wasm');
  await tf.setBackend('cpu');
  registerTrainingKernels('wasm');
  registerTrainingKernels('cpu');
});

describe('kernel registration', () => {
  it('is idempotent and supplies what wasm lacks', () => {
    assert.deepEqual(registerTrainingKernels('wasm'), []);
    assert.deepEqual(registerTrainingKernels('cpu'), []);
    for (const name of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']) {
      assert.ok(tf.getKernel(name, 'wasm'), `${name} on wasm`);
    }
    assert.ok(stockKernel('Conv2DBackpropFilter', 'cpu'), 'the stock cpu kernel stays reachable');
  });
});

describe('conv2d gradients against the stock JS kernels', () => {
  const cases = convCases(1, 80, false);
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`Conv2DBackpropFilter on ${backend}`, async () => {
      for (const [i, c] of cases.entries()) await checkFilterGrad('Conv2DBackpropFilter', backend, c, false, 100 + i);
    });
  }
  it('Conv2DBackpropFilter on wasm, batch taken in slices', async () => {
    const saved = patchLimits.maxPatchFloats;
    patchLimits.maxPatchFloats = 400;
    try {
      for (const [i, c] of cases.entries()) await checkFilterGrad('Conv2DBackpropFilter', 'wasm', c, false, 150 + i);
    } finally {
      patchLimits.maxPatchFloats = saved;
    }
  });
  it('Conv2DBackpropInput on wasm', async () => {
    for (const [i, c] of cases.entries()) await checkInputGrad('Conv2DBackpropInput', 'wasm', c, 200 + i);
  });
  it('both conv2d gradients on LeNet-5 shapes (wasm: both patch layouts, one-channel input)', async () => {
    const lenet: ConvCase[] = [
      { label: 'conv1 same', xShape: [4, 28, 28, 1], fShape: [5, 5, 1, 6], strides: [1, 1], dilations: [1, 1], pad: 'same', dyShape: [4, 28, 28, 6] },
      { label: 'conv2 valid', xShape: [4, 14, 14, 6], fShape: [5, 5, 6, 16], strides: [1, 1], dilations: [1, 1], pad: 'valid', dyShape: [4, 10, 10, 16] },
      { label: 'narrow', xShape: [2, 6, 6, 3], fShape: [5, 5, 3, 4], strides: [1, 1], dilations: [1, 1], pad: 'valid', dyShape: [2, 2, 2, 4] },
    ];
    for (const [i, c] of lenet.entries()) {
      await checkFilterGrad('Conv2DBackpropFilter', 'wasm', c, false, 300 + i);
      await checkInputGrad('Conv2DBackpropInput', 'wasm', c, 310 + i);
    }
  });
});

describe('depthwise gradients against the stock JS kernels', () => {
  const cases = convCases(2, 48, true);
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`DepthwiseConv2dNativeBackpropFilter on ${backend}`, async () => {
      for (const [i, c] of cases.entries()) await checkFilterGrad('DepthwiseConv2dNativeBackpropFilter', backend, c, true, 400 + i);
    });
    it(`DepthwiseConv2dNativeBackpropInput on ${backend}`, async () => {
      for (const [i, c] of cases.entries()) await checkInputGrad('DepthwiseConv2dNativeBackpropInput', backend, c, 500 + i);
    });
  }
});

describe('pooling gradients against the stock JS kernels', () => {
  const r = rng(3);
  const cases: { label: string; xShape: Shape4; attrs: { filterSize: [number, number]; strides: [number, number]; pad: 'valid' | 'same' | number } }[] = [];
  while (cases.length < 50) {
    const filterSize: [number, number] = [int(r, 1, 4), int(r, 1, 4)];
    const strides: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
    const pads = ['valid', 'same', int(r, 0, Math.min(...filterSize) - 1)] as const;
    const pad = pads[int(r, 0, 2)]!;
    const xShape: Shape4 = [int(r, 1, 4), int(r, 4, 12), int(r, 4, 12), int(r, 1, 5)];
    const info = tf.backend_util.computePool2DInfo(xShape, filterSize, strides, 1, pad);
    if (info.outHeight < 1 || info.outWidth < 1) continue;
    cases.push({ label: `x ${xShape} f ${filterSize} s ${strides} pad ${pad}`, xShape, attrs: { filterSize, strides, pad } });
  }
  /** dy, input (and output, for max) for case i, with the forward pass run by stock tfjs on cpu. */
  async function poolInputs(i: number, kind: 'avg' | 'max'): Promise<{ inputs: Inputs; x: Float32Array; y: Float32Array }> {
    const c = cases[i]!;
    const rr = rng(600 + i);
    const x = values(rr, c.xShape);
    await tf.setBackend('cpu');
    const yt = tf.tidy(() => {
      const xt = tf.tensor4d(x, c.xShape);
      return kind === 'avg' ? tf.avgPool(xt, c.attrs.filterSize, c.attrs.strides, c.attrs.pad)
        : tf.maxPool(xt, c.attrs.filterSize, c.attrs.strides, c.attrs.pad);
    });
    const y = yt.dataSync() as Float32Array;
    const inputs: Inputs = { dy: { shape: yt.shape, data: values(rr, yt.shape) }, input: { shape: c.xShape, data: x } };
    if (kind === 'max') inputs.output = { shape: yt.shape, data: y };
    yt.dispose();
    return { inputs, x, y };
  }

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`MaxPoolGrad on ${backend}`, async () => {
      for (const [i, c] of cases.entries()) {
        const { inputs } = await poolInputs(i, 'max');
        const err = relativeError(await runRegistered(backend, 'MaxPoolGrad', inputs, c.attrs), await runStockCpu('MaxPoolGrad', inputs, c.attrs));
        assert.ok(err < TOLERANCE, `MaxPoolGrad on ${backend}, ${c.label}: relative error ${err}`);
      }
    });

    // Stock AvgPoolGrad disagrees with its own forward pass where windows overlap padding (see
    // flat/pool_grad.ts), so it is the reference only where none do; everywhere, ours must be
    // the adjoint of stock avgPool: sum(avgPool(x) * dy) = sum(x * dx).
    it(`AvgPoolGrad on ${backend}`, async () => {
      for (const [i, c] of cases.entries()) {
        const { inputs, x, y } = await poolInputs(i, 'avg');
        const ours = await runRegistered(backend, 'AvgPoolGrad', inputs, c.attrs);
        const dy = inputs.dy!.data;
        let forward = 0;
        let backward = 0;
        let scale = 0;
        for (let k = 0; k < y.length; k++) {
          // A window wholly in the padding averages nothing (NaN); its gradient is nothing too.
          if (Number.isNaN(y[k])) continue;
          forward += y[k]! * dy[k]!;
          scale += Math.abs(y[k]! * dy[k]!);
        }
        for (let k = 0; k < x.length; k++) backward += x[k]! * ours[k]!;
        assert.ok(Math.abs(forward - backward) <= TOLERANCE * scale, `AvgPoolGrad on ${backend}, ${c.label}: not the adjoint (${forward} vs ${backward})`);
        const info = tf.backend_util.computePool2DInfo(c.xShape, c.attrs.filterSize, c.attrs.strides, 1, c.attrs.pad);
        const inside = info.padInfo.top === 0 && info.padInfo.left === 0
          && (info.outHeight - 1) * info.strideHeight + info.filterHeight <= info.inHeight
          && (info.outWidth - 1) * info.strideWidth + info.filterWidth <= info.inWidth;
        if (inside) {
          const err = relativeError(ours, await runStockCpu('AvgPoolGrad', inputs, c.attrs));
          assert.ok(err < TOLERANCE, `AvgPoolGrad on ${backend}, ${c.label}: relative error ${err}`);
        }
      }
    });
  }

  it('AvgPoolGrad is the gradient of avgPool at same-padded borders, where stock tfjs is not', async () => {
    const x = Float32Array.from({ length: 9 }, (_, i) => i + 1);
    const inputs: Inputs = { dy: { shape: [1, 3, 3, 1], data: new Float32Array(9).fill(1) }, input: { shape: [1, 3, 3, 1], data: x } };
    const attrs = { filterSize: 2, strides: 1, pad: 'same' };
    // d/dx of the sum of all nine windows ('same' pads below and right): the last pixel sits in
    // windows covering 4, 2, 2 and 1 pixels, so 1/4 + 1/2 + 1/2 + 1.
    const expected = [0.25, 0.5, 0.75, 0.5, 1, 1.5, 0.75, 1.5, 2.25];
    for (const backend of ['wasm', 'cpu'] as const) assert.deepEqual(Array.from(await runRegistered(backend, 'AvgPoolGrad', inputs, attrs)), expected);
    assert.equal((await runStockCpu('AvgPoolGrad', inputs, attrs))[8], 1);
  });
});

describe('wasm replacements of slow stock kernels', () => {
  it('BatchMatMul, every transpose combination, against the stock JS kernel', async () => {
    const r = rng(4);
    for (let i = 0; i < 40; i++) {
      const [m, k, n] = [int(r, 1, 40), int(r, 1, 40), int(r, 1, 40)];
      const transposeA = r() < 0.5;
      const transposeB = r() < 0.5;
      const batch = i % 6 === 5 ? 2 : 1;
      const lead = i % 3 === 0 ? [batch] : batch === 1 ? [] : [batch];
      const aShape = [...lead, ...(transposeA ? [k, m] : [m, k])];
      const bShape = [...lead, ...(transposeB ? [n, k] : [k, n])];
      const inputs: Inputs = { a: { shape: aShape, data: values(r, aShape) }, b: { shape: bShape, data: values(r, bShape) } };
      const attrs = { transposeA, transposeB };
      const err = relativeError(await runRegistered('wasm', 'BatchMatMul', inputs, attrs), await runStockCpu('BatchMatMul', inputs, attrs));
      assert.ok(err < TOLERANCE, `BatchMatMul a ${aShape} b ${bShape} ${JSON.stringify(attrs)}: relative error ${err}`);
    }
  });

  it('Tanh, across magnitudes, element by element', async () => {
    const r = rng(5);
    const xs = Float32Array.from({ length: 4000 }, (_, i) => (r() * 2 - 1) * [1e-7, 1e-3, 0.1, 0.13, 1, 5, 30][i % 7]!);
    const inputs: Inputs = { x: { shape: [xs.length], data: xs } };
    const ours = await runRegistered('wasm', 'Tanh', inputs, {});
    const ref = await runStockCpu('Tanh', inputs, {});
    for (let i = 0; i < xs.length; i++) {
      const tol = 2e-7 + 1e-5 * Math.abs(ref[i]!);
      assert.ok(Math.abs(ours[i]! - ref[i]!) <= tol, `tanh(${xs[i]}): ${ours[i]} vs ${ref[i]}`);
    }
    const special = await runRegistered('wasm', 'Tanh', { x: { shape: [3], data: Float32Array.of(NaN, Infinity, -Infinity) } }, {});
    assert.ok(Number.isNaN(special[0]));
    assert.deepEqual([special[1], special[2]], [1, -1]);
  });
});

/** Every layer type the engine trains, on 12x12x3 inputs, with deterministic initial weights. */
function smallNet(dropout: boolean): tf.LayersModel {
  const L = tf.layers;
  let seed = 7;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const input = tf.input({ shape: [12, 12, 3] });
  let h = L.zeroPadding2d({ padding: 1 }).apply(input) as tf.SymbolicTensor;
  h = L.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: init() }).apply(h) as tf.SymbolicTensor;
  h = L.batchNormalization().apply(h) as tf.SymbolicTensor;
  h = L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'tanh', depthwiseInitializer: init() }).apply(h) as tf.SymbolicTensor;
  h = L.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same', depthwiseInitializer: init(), pointwiseInitializer: init() }).apply(h) as tf.SymbolicTensor;
  const maxed = L.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  const averaged = L.averagePooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  const summed = L.add().apply([maxed, averaged]) as tf.SymbolicTensor;
  h = L.concatenate().apply([maxed, summed]) as tf.SymbolicTensor;
  h = L.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu', kernelInitializer: init() }).apply(h) as tf.SymbolicTensor;
  h = L.flatten().apply(h) as tf.SymbolicTensor;
  if (dropout) h = L.dropout({ rate: 0.3 }).apply(h) as tf.SymbolicTensor;
  h = L.dense({ units: 16, activation: 'sigmoid', kernelInitializer: init() }).apply(h) as tf.SymbolicTensor;
  h = L.leakyReLU().apply(h) as tf.SymbolicTensor;
  const output = L.dense({ units: 4, activation: 'softmax', kernelInitializer: init() }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

function batchOf16(): { x: tf.Tensor; y: tf.Tensor } {
  const r = rng(8);
  const x = tf.tensor4d(values(r, [16, 12, 12, 3]), [16, 12, 12, 3]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 4), 'int32'), 4);
  return { x, y };
}

describe('training on wasm', () => {
  for (const optimizer of ['adam', 'sgd', 'rmsprop'] as const) {
    it(`a net with every layer type takes ${optimizer} steps and its loss falls`, async () => {
      await tf.setBackend('wasm');
      const model = smallNet(true);
      const lr = { adam: 0.01, sgd: 0.3, rmsprop: 0.003 }[optimizer];
      const opt = optimizer === 'adam' ? tf.train.adam(lr) : optimizer === 'sgd' ? tf.train.sgd(lr) : tf.train.rmsprop(lr);
      model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
      const { x, y } = batchOf16();
      const losses: number[] = [];
      for (let i = 0; i < 12; i++) losses.push(await model.trainOnBatch(x, y) as number);
      assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
      assert.ok(losses[losses.length - 1]! < 0.8 * losses[0]!, `loss did not fall: ${losses.map((l) => l.toFixed(3))}`);
      tf.dispose([x, y]);
      model.dispose();
    });
  }

  it('gives the same gradients as the JS backend for a whole training step', async () => {
    const grads: Record<Backend, Float32Array[]> = { cpu: [], wasm: [] };
    let weights: tf.Tensor[] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await tf.setBackend(backend);
      const model = smallNet(false);
      if (backend === 'cpu') weights = model.getWeights().map((w) => tf.tensor(w.dataSync(), w.shape));
      else model.setWeights(weights.map((w) => tf.tensor(w.dataSync(), w.shape)));
      const { x, y } = batchOf16();
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
      const { grads: g } = tf.variableGrads(loss, vars);
      grads[backend] = vars.map((v) => g[v.name]!.dataSync() as Float32Array);
      tf.dispose([x, y, ...Object.values(g)]);
      model.dispose();
    }
    assert.equal(grads.wasm.length, grads.cpu.length);
    assert.ok(grads.cpu.length >= 14);
    for (const [i, ref] of grads.cpu.entries()) {
      const err = relativeError(grads.wasm[i]!, ref);
      assert.ok(err < 3e-5, `gradient of trainable weight ${i}: relative error ${err}`);
    }
  });

  it('local response normalisation has the JS backend\'s gradient', async () => {
    const r = rng(9);
    const xs = values(r, [2, 5, 5, 7]);
    const ws = values(r, [2, 5, 5, 7]);
    const out: Record<string, Float32Array> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      await tf.setBackend(backend);
      out[backend] = tf.tidy(() => {
        const w = tf.tensor4d(ws, [2, 5, 5, 7]);
        const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.localResponseNormalization(x as tf.Tensor4D, 2, 1.5, 0.3, 0.75), w));
        return tf.grad(f)(tf.tensor4d(xs, [2, 5, 5, 7])).dataSync() as Float32Array;
      });
    }
    const err = relativeError(out.wasm!, out.cpu!);
    assert.ok(err < TOLERANCE, `LRN gradient: relative error ${err}`);
  });
});
