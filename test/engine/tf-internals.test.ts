import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { tf } from '../../src/engine/backends/tf';
import { batchNormFieldsOf, learningRateOf, setLearningRate, TfInternalsChanged, variableOf, wasmHeapF32 } from '../../src/engine/backends/tf-internals';

// The internals of the pinned TensorFlow.js that the engine relies on: this fails, by name,
// on an upgrade that moves one of them.
before(async () => {
  await tf.setBackend('cpu');
});

test('a layer weight\'s Variable is the one training updates', () => {
  const layer = tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones' });
  const model = tf.sequential({ layers: [layer] });
  const kernel = model.trainableWeights[0]!;
  const variable = variableOf(kernel);
  assert.ok(variable instanceof tf.Variable);
  variable.assign(tf.fill([3, 2], 7));
  assert.deepEqual([...kernel.read().dataSync()], [7, 7, 7, 7, 7, 7]);
  model.dispose();
});

test('every optimizer the language names reads and changes its learning rate in place, and a step uses the new one', () => {
  const optimizers = [tf.train.sgd(0.1), tf.train.momentum(0.1, 0.9), tf.train.adam(0.1), tf.train.rmsprop(0.1, 0.9, 0.9)];
  for (const optimizer of optimizers) {
    assert.equal(learningRateOf(optimizer), 0.1, optimizer.getClassName());
    setLearningRate(optimizer, 0);
    assert.equal(learningRateOf(optimizer), 0, optimizer.getClassName());
    const x = tf.variable(tf.scalar(3));
    optimizer.minimize(() => tf.square(x) as tf.Scalar, false, [x]);
    assert.equal(x.dataSync()[0], 3, `${optimizer.getClassName()} with learning rate 0 leaves the weight`);
    setLearningRate(optimizer, 0.1);
    optimizer.minimize(() => tf.square(x) as tf.Scalar, false, [x]);
    assert.notEqual(x.dataSync()[0], 3, `${optimizer.getClassName()} steps again`);
    x.dispose();
    optimizer.dispose();
  }
});

test('the wasm backend\'s heap is a Float32Array', async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  try {
    const heap = wasmHeapF32(tf.backend() as never);
    assert.ok(heap instanceof Float32Array && heap.length > 0);
  } finally {
    await tf.setBackend('cpu');
  }
});

test('a built BatchNormalization keeps its axis, momentum, epsilon and four weights where the WebGPU training path reads them', () => {
  const layer = tf.layers.batchNormalization({ axis: -1, momentum: 0.8, epsilon: 1e-4 });
  layer.apply(tf.zeros([1, 2, 2, 3]));
  const f = batchNormFieldsOf(layer);
  assert.deepEqual([f.axis, f.momentum, f.epsilon], [-1, 0.8, 1e-4]);
  assert.deepEqual([f.gamma, f.beta, f.movingMean, f.movingVariance].map((w) => w?.name.split('/').pop()), ['gamma', 'beta', 'moving_mean', 'moving_variance']);
  layer.dispose();
});

test('a changed internal fails loudly, naming it', () => {
  assert.throws(() => variableOf({} as tf.LayerVariable), (error: unknown) => error instanceof TfInternalsChanged && /LayerVariable\.val/.test(error.message));
  const stripped = Object.assign(Object.create(tf.train.adam(0.1)) as tf.Optimizer, { learningRate: undefined });
  assert.throws(() => learningRateOf(stripped), /learningRate/);
});
