import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { selectBackend } from '../../src/engine/backends/select-backend';
import { compileModel } from '../../src/engine/model/compile';
import { tf } from '../../src/engine/backends/tf';

const lenet = analyze(readFileSync(join(__dirname, '..', '..', 'samples', 'lenet5.cnn'), 'utf8')).models[0]!;

test('without a usable GPU the ladder passes over webgpu with its reason and trains on the CPU', async () => {
  const chosen = await selectBackend();
  const webgpu = chosen.tried.find((t) => t.name === 'webgpu');
  if (chosen.name === 'webgpu' || chosen.name === 'cuda') return;
  assert.ok(webgpu && !webgpu.available);
  assert.match(webgpu.reason, /not installed|no WebGPU adapter|did not start/);
  assert.match(chosen.reason, /skipped webgpu: /);
});

/** Gradients of one LeNet-5 training step on `backend`, from the same weights and batch. */
async function gradients(backend: 'webgpu' | 'cpu'): Promise<Float32Array[]> {
  await selectBackend({ force: backend });
  const compiled = compileModel(lenet, { seed: 11 });
  const x = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 3);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), 'int32'), 10);
  const variables = compiled.model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, compiled.model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, variables);
  // In the model's own weight order: variable names differ between the two compiled copies.
  const values = await Promise.all(variables.map(async (v) => (await grads[v.name]!.data()) as Float32Array));
  compiled.model.dispose();
  return values;
}

test('on a GPU, the WebGPU training step agrees with the JS backend (relative error < 1e-3)', async (t) => {
  try {
    await selectBackend({ force: 'webgpu' });
  } catch (error) {
    t.skip(`no GPU here: ${(error as Error).message}`);
    return;
  }
  const onGpu = await gradients('webgpu');
  const onCpu = await gradients('cpu');
  onGpu.forEach((g, i) => {
    const ref = onCpu[i]!;
    let diff = 0;
    let norm = 0;
    for (let k = 0; k < ref.length; k++) {
      diff += (g[k]! - ref[k]!) ** 2;
      norm += ref[k]! ** 2;
    }
    assert.ok(Math.sqrt(diff / norm) < 1e-3, `gradient ${i}: relative error ${Math.sqrt(diff / norm)}`);
  });
});
