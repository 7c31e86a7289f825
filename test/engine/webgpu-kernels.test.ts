// Every WGSL kernel of ours (src/engine/kernels/webgpu) against tfjs's own JS-backend kernel, on
// SwiftShader in CI: seeded random shapes, strides 1-3, valid/same/numeric/explicit padding,
// channel counts that cross the 64-wide GEMM tiles, relative error under 1e-5. Shapes stay
// small because SwiftShader runs WGSL on the CPU.
import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registerTrainingKernels, stockKernel } from '../../src/engine/kernels';
import { planFilterGrad } from '../../src/engine/kernels/webgpu/conv2d_backprop_filter';
import { convGeometry } from '../../src/engine/kernels/geometry';
import { FusedAdamOptimizer, FusedMomentumOptimizer, FusedRmspropOptimizer, FusedSgdOptimizer, PACK_LIMIT } from '../../src/engine/training/fused-optimizers';
import { ADAM_UPDATE, MOMENTUM_UPDATE, PACKED, RMSPROP_UPDATE, SGD_UPDATE } from '../../src/engine/kernels/webgpu/optimizer_update';
import { countGpuWork } from '../../src/engine/backends/gpu-work';
import { seededRandom } from '../../src/engine/data/random';
import { checkAvgPoolGrad, checkFilterGrad, checkInputGrad, convCases, poolCases, poolInputs, relativeError, runRegistered, runStockCpu, TOLERANCE, type ConvCase } from './kernel-checks';
import { useWebgpu } from './webgpu-backend';

let ready = false;
before(async () => {
  await tf.setBackend('cpu');
});

async function onWebgpu(t: TestContext): Promise<boolean> {
  ready ||= await useWebgpu(t);
  return ready;
}

/** Cases whose channel counts reach past one 64-wide tile now and then; dilation 1 where the kernel takes none. */
function wideCases(seed: number, count: number, dilated: boolean): ConvCase[] {
  return convCases(seed, count, false).map((c, i) => {
    const widen = i % 4 === 3;
    const fShape: ConvCase['fShape'] = [c.fShape[0], c.fShape[1], widen ? 67 : c.fShape[2], widen ? 70 : c.fShape[3]];
    const xShape: ConvCase['xShape'] = [c.xShape[0], c.xShape[1], c.xShape[2], fShape[2]];
    const dilations: [number, number] = dilated ? c.dilations : [1, 1];
    const info = tf.backend_util.computeConv2DInfo(xShape, fShape, c.strides, dilations, c.pad);
    return { ...c, xShape, fShape, dilations, dyShape: info.outShape, label: `x ${xShape} f ${fShape} s ${c.strides} d ${dilations} pad ${JSON.stringify(c.pad)}` };
  }).filter((c) => c.dyShape[1] > 0 && c.dyShape[2] > 0);
}

describe('WebGPU kernels against the stock JS kernels', () => {
  it('are registered in place of the stock webgpu ones, which stay reachable', async (t) => {
    if (!(await onWebgpu(t))) return;
    assert.deepEqual(registerTrainingKernels('webgpu'), []);
    assert.ok(stockKernel('Conv2DBackpropFilter', 'webgpu'));
    assert.notEqual(tf.getKernel('Conv2DBackpropFilter', 'webgpu')?.kernelFunc, stockKernel('Conv2DBackpropFilter', 'webgpu')?.kernelFunc);
  });

  it('Conv2DBackpropFilter, with dilation, in one pass and split over the batch', async (t) => {
    if (!(await onWebgpu(t))) return;
    const cases = wideCases(21, 16, true);
    // A case large enough to be split, so that the partial sums are exercised.
    cases.push({ label: 'x 4,20,20,8 f 3,3,8,16 s 1 same (split)', xShape: [4, 20, 20, 8], fShape: [3, 3, 8, 16], strides: [1, 1], dilations: [1, 1], pad: 'same', dyShape: [4, 20, 20, 16] });
    assert.ok(planFilterGrad(convGeometry([4, 20, 20, 8], [3, 3, 8, 16], 1, 1, 'same', undefined, false)).splits > 1);
    for (const [i, c] of cases.entries()) await checkFilterGrad('Conv2DBackpropFilter', 'webgpu', c, false, 700 + i);
  });

  it('Conv2DBackpropInput, every stride phase', async (t) => {
    if (!(await onWebgpu(t))) return;
    for (const [i, c] of wideCases(22, 16, false).entries()) await checkInputGrad('Conv2DBackpropInput', 'webgpu', c, 800 + i);
  });

  it('DepthwiseConv2dNativeBackpropFilter and -Input, with dilation and channel multipliers', async (t) => {
    if (!(await onWebgpu(t))) return;
    const cases = convCases(23, 16, true);
    cases.push({ label: 'x 4,36,36,3 f 3,3,3,2 s 1 same (split)', xShape: [4, 36, 36, 3], fShape: [3, 3, 3, 2], strides: [1, 1], dilations: [1, 1], pad: 'same', dyShape: [4, 36, 36, 6] });
    for (const [i, c] of cases.entries()) {
      await checkFilterGrad('DepthwiseConv2dNativeBackpropFilter', 'webgpu', c, true, 900 + i);
      await checkInputGrad('DepthwiseConv2dNativeBackpropInput', 'webgpu', c, 950 + i);
    }
  });

  it('MaxPoolGrad and AvgPoolGrad', async (t) => {
    if (!(await onWebgpu(t))) return;
    for (const [i, c] of poolCases(24, 24).entries()) {
      const { inputs } = await poolInputs(c, 1000 + i, 'max');
      const err = relativeError(await runRegistered('webgpu', 'MaxPoolGrad', inputs, c.attrs), await runStockCpu('MaxPoolGrad', inputs, c.attrs));
      assert.ok(err < TOLERANCE, `MaxPoolGrad on webgpu, ${c.label}: relative error ${err}`);
      await checkAvgPoolGrad('webgpu', c, 1100 + i);
    }
  });

  it('fused SGD, Adam, momentum (plain and Nesterov) and RMSprop updates match tfjs\'s own optimizers over three steps', async (t) => {
    if (!(await onWebgpu(t))) return;
    // One variable past PACK_LIMIT takes the per-variable kernel, the others share a packed one.
    const shapes = [[3, 3, 4, 70], [70], [5, 3], [3, 3, 64, 32]];
    assert.ok(shapes.filter((s) => s.reduce((a, b) => a * b, 1) > PACK_LIMIT).length === 1);
    const r = seededRandom(31);
    const initial = shapes.map((shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1));
    const grads = [0, 1, 2].map(() => shapes.map((shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1)));
    /** Variables and optimizer slots after three steps of `make()` on `backend`. */
    async function train(backend: 'webgpu' | 'cpu', make: () => tf.Optimizer): Promise<Float32Array[]> {
      await tf.setBackend(backend);
      const vars = shapes.map((shape, i) => tf.variable(tf.tensor(initial[i]!, shape), true, `w${backend}${i}${Math.random()}`));
      const optimizer = make();
      for (const step of grads) {
        optimizer.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(step[i]!, shapes[i])])));
      }
      const slots = (await optimizer.getWeights()).slice(1).map((w) => w.tensor);
      const out = await Promise.all([...vars, ...slots].map(async (x) => (await x.data()) as Float32Array));
      vars.forEach((v) => v.dispose());
      optimizer.dispose();
      return out;
    }
    const makers: [string, () => tf.Optimizer, () => tf.Optimizer][] = [
      ['sgd', () => new FusedSgdOptimizer(0.1), () => tf.train.sgd(0.1)],
      ['adam', () => new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-7), () => tf.train.adam(0.01, 0.9, 0.999, 1e-7)],
      ['momentum', () => new FusedMomentumOptimizer(0.1, 0.9, false), () => tf.train.momentum(0.1, 0.9, false)],
      ['nesterov', () => new FusedMomentumOptimizer(0.1, 0.9, true), () => tf.train.momentum(0.1, 0.9, true)],
      ['rmsprop', () => new FusedRmspropOptimizer(0.01, 0.9, 0.5, 1e-7), () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7)],
    ];
    for (const [label, fused, stock] of makers) {
      const ours = await train('webgpu', fused);
      const ref = await train('cpu', stock);
      assert.equal(ours.length, ref.length, `${label}: the same variables and slots`);
      ours.forEach((x, i) => {
        const err = relativeError(x, ref[i]!);
        assert.ok(err < TOLERANCE, `${label}: tensor ${i} relative error ${err}`);
      });
    }
  });

  it('a packed update of many variables agrees with the per-variable one, in one dispatch', async (t) => {
    if (!(await onWebgpu(t))) return;
    await tf.setBackend('webgpu');
    const r = seededRandom(32);
    const shapes = [[64], [64], [3, 3, 3, 8], [10], [1]];
    const tensor = (shape: number[], positive = false) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (positive ? r() : r() * 2 - 1)), shape);
    const rules: [string, string[], Record<string, number | boolean>, Record<string, tf.Tensor>][] = [
      [SGD_UPDATE, [], { learningRate: 0.1 }, {}],
      [ADAM_UPDATE, ['firstMoment', 'secondMoment'], { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, learningRate: 0.01 }, { oneMinusAccBeta1: tf.scalar(0.19), oneMinusAccBeta2: tf.scalar(0.002) }],
      [MOMENTUM_UPDATE, ['accumulation'], { momentum: 0.9, learningRate: 0.1, nesterov: true }, {}],
      [RMSPROP_UPDATE, ['meanSquare', 'moment'], { decay: 0.9, momentum: 0.5, epsilon: 1e-7, learningRate: 0.01 }, {}],
    ];
    for (const [kernel, slots, attrs, scalars] of rules) {
      // Second moments and mean squares are positive, as they are in training.
      const vars = shapes.map((shape) => ({ value: tensor(shape), grad: tensor(shape), slots: slots.map((_, j) => tensor(shape, j === slots.length - 1 || kernel === RMSPROP_UPDATE)) }));
      const single = vars.flatMap((v) => tf.engine().runKernel(kernel, { value: v.value, grad: v.grad, ...scalars, ...Object.fromEntries(slots.map((n, j) => [n, v.slots[j]!])) }, attrs) as tf.Tensor[]);
      const inputs: tf.NamedTensorMap = { ...scalars };
      vars.forEach((v, i) => {
        inputs[`value${i}`] = v.value;
        inputs[`grad${i}`] = v.grad;
        slots.forEach((n, j) => { inputs[`${n}${i}`] = v.slots[j]!; });
      });
      const { result: packed, work } = await countGpuWork(async () => tf.engine().runKernel(kernel + PACKED, inputs, { ...attrs, count: shapes.length }) as tf.Tensor[]);
      assert.equal(work.dispatches, 1, `${kernel}: one dispatch for ${shapes.length} variables`);
      // A copy in for each packed tensor, a copy out for each result, and perhaps one staging
      // copy each for the scalars, which tfjs uploads on first use (by its buffer pool's state).
      const copies = (slots.length + 2) * shapes.length + (slots.length + 1) * shapes.length;
      assert.ok(work.copies >= copies && work.copies <= copies + Object.keys(scalars).length, `${kernel}: ${work.copies} copies, ${copies} expected`);
      assert.equal(packed.length, single.length);
      for (const [i, p] of packed.entries()) {
        assert.deepEqual(p.shape, single[i]!.shape);
        const err = relativeError(await p.data() as Float32Array, await single[i]!.data() as Float32Array);
        assert.ok(err < TOLERANCE, `${kernel}: output ${i} relative error ${err}`);
      }
      tf.dispose([...packed, ...single, ...vars.flatMap((v) => [v.value, v.grad, ...v.slots]), ...Object.values(scalars)]);
    }
  });
});
