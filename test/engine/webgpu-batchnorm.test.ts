// Batchnorm's training pass on WebGPU (kernels/webgpu/batchnorm.ts, batchnorm_grad.ts, through
// the TrainingBatchNorm layer) against tfjs's stock layer on the JS backend, on SwiftShader in
// CI: seeded random shapes (channels across the 64-wide tile, row counts that split), the
// output, the gradients of x, gamma and beta for a random upstream gradient, and the moving
// statistics after the step, each within a relative error of 1e-5.
import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { TrainingBatchNorm } from '../../src/engine/model/training-batchnorm';
import { planRowSplit } from '../../src/engine/kernels/webgpu/batchnorm';
import { countGpuWork } from '../../src/engine/backends/gpu-work';
import { int, relativeError, rng, TOLERANCE, values } from './kernel-checks';
import { useWebgpu } from './webgpu-backend';

let ready = false;
before(async () => {
  await tf.setBackend('cpu');
});

async function onWebgpu(t: TestContext): Promise<boolean> {
  ready ||= await useWebgpu(t);
  return ready;
}

interface Case {
  shape: number[];
  /** Added to x, so that the mean is large against the spread. */
  shift: number;
}

function cases(seed: number, count: number): Case[] {
  const r = rng(seed);
  const random = Array.from({ length: count }, (_, i): Case => ({
    shape: [int(r, 1, 4), int(r, 1, 9), int(r, 1, 9), i % 3 === 2 ? int(r, 60, 80) : int(r, 1, 24)],
    shift: i % 4 === 1 ? 20 : 0,
  }));
  // Rows enough to be split over workgroups, and a rank-2 (dense) input.
  return [...random, { shape: [4, 20, 20, 8], shift: 3 }, { shape: [6, 70], shift: 0 }];
}

/** One training call of the layer on `backend`: y, dx, dgamma, dbeta, moving mean and variance. */
async function trainingCall(backend: 'webgpu' | 'cpu', c: Case, seed: number): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const r = rng(seed);
  const channels = c.shape[c.shape.length - 1]!;
  const xData = values(r, c.shape).map((v) => v + c.shift);
  const dyData = values(r, c.shape);
  const weights = [values(r, [channels]).map((v) => v + 1.5), values(r, [channels]), values(r, [channels]), values(r, [channels]).map((v) => v + 2)];
  const layer = new TrainingBatchNorm({ axis: -1, momentum: 0.9, epsilon: 1e-3 });
  const x = tf.tensor(xData, c.shape);
  const dy = tf.tensor(dyData, c.shape);
  layer.apply(x, { training: false });
  layer.setWeights(weights.map((w) => tf.tensor(w, [channels])));
  const [gamma, beta] = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    return tf.sum(tf.mul(y, dy)) as tf.Scalar;
  }), [gamma!, beta!]);
  const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, dy)))(x);
  const y = tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor);
  // Three training calls in all, so the moving statistics moved three times.
  const moving = layer.getWeights().slice(2);
  const out = await Promise.all([y, dx, grads[gamma!.name]!, grads[beta!.name]!, ...moving].map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, dy, value, dx, y, ...Object.values(grads)]);
  layer.dispose();
  return out;
}

describe('batchnorm training on WebGPU against the stock layer on the JS backend', () => {
  it('the output, the gradients of x, gamma and beta, and the moving statistics', async (t) => {
    if (!(await onWebgpu(t))) return;
    assert.ok(planRowSplit([4, 20, 20, 8]).splits > 1, 'a case is split over rows');
    const names = ['y', 'dx', 'dgamma', 'dbeta', 'moving mean', 'moving variance'];
    for (const [i, c] of cases(41, 10).entries()) {
      const ours = await trainingCall('webgpu', c, 1300 + i);
      const ref = await trainingCall('cpu', c, 1300 + i);
      ours.forEach((o, k) => {
        const err = relativeError(o, ref[k]!);
        assert.ok(err < TOLERANCE, `${names[k]}, x ${c.shape} shifted by ${c.shift}: relative error ${err}`);
      });
    }
  });

  it('takes 5 dispatches forward and 4 backward, and leaves no tensor behind', async (t) => {
    if (!(await onWebgpu(t))) return;
    await tf.setBackend('webgpu');
    const layer = new TrainingBatchNorm({ axis: -1 });
    const x = tf.randomNormal([2, 5, 5, 12]);
    layer.apply(x, { training: false });
    const gamma = (layer.trainableWeights[0] as unknown as { val: tf.Variable }).val;
    const run = (grads: boolean) => countGpuWork(async () => {
      if (!grads) return (layer.apply(x, { training: true }) as tf.Tensor).dispose();
      const { value, grads: g } = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, [gamma]);
      tf.dispose([value, ...Object.values(g)]);
    });
    // The forward pass on its own, then with the sum and its gradient.
    const tensors = tf.memory().numTensors;
    const forward = (await run(false)).work.dispatches;
    const both = (await run(true)).work.dispatches;
    assert.equal(tf.memory().numTensors, tensors, 'no tensor is left behind');
    t.diagnostic(`forward ${forward}, forward and gradient ${both}`);
    // Stock tfjs: 13 forward, 25 with the gradient of gamma alone (counted 2026-12-04).
    assert.equal(forward, 5);
    assert.equal(both - forward, 1 + 4, 'the sum, then 4 for the gradient');
    x.dispose();
    layer.dispose();
  });
});
