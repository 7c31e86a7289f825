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
import { checkAvgPoolGrad, checkFilterGrad, checkInputGrad, convCases, int, poolCases, poolInputs, relativeError, rng, runRegistered, runStockCpu, TOLERANCE, values, type ConvCase, type Inputs } from './kernel-checks';

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
  const cases = poolCases(3, 50);

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`MaxPoolGrad on ${backend}`, async () => {
      for (const [i, c] of cases.entries()) {
        const { inputs } = await poolInputs(c, 600 + i, 'max');
        const err = relativeError(await runRegistered(backend, 'MaxPoolGrad', inputs, c.attrs), await runStockCpu('MaxPoolGrad', inputs, c.attrs));
        assert.ok(err < TOLERANCE, `MaxPoolGrad on ${backend}, ${c.label}: relative error ${err}`);
      }
    });

    // Stock AvgPoolGrad disagrees with its own forward pass where windows overlap padding (see
    // flat/pool_grad.ts), so it is the reference only where none do; everywhere, ours must be
    // the adjoint of stock avgPool: sum(avgPool(x) * dy) = sum(x * dx).
    it(`AvgPoolGrad on ${backend}`, async () => {
      for (const [i, c] of cases.entries()) {
        await checkAvgPoolGrad(backend, c, 600 + i);
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
    const grads: Record<'cpu' | 'wasm', Float32Array[]> = { cpu: [], wasm: [] };
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
