import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { selectBackend } from '../../src/engine/backends/select-backend';
import { compileModel } from '../../src/engine/model/compile';
import { tf } from '../../src/engine/backends/tf';
import { describeAdapter, isSoftwareAdapter } from '../../src/engine/backends/webgpu-adapter';
import { useWebgpu } from './webgpu-backend';

const lenet = analyze(readFileSync(join(__dirname, '..', '..', 'samples', 'lenet5.cnn'), 'utf8')).models[0]!;

test('without a usable GPU the ladder passes over webgpu with its reason and trains on the CPU', async () => {
  const chosen = await selectBackend();
  const webgpu = chosen.tried.find((t) => t.name === 'webgpu');
  if (chosen.name === 'cuda') return;
  assert.ok(webgpu, 'webgpu was tried');
  if (chosen.name === 'webgpu') {
    // Only a hardware adapter may be chosen on its own.
    assert.doesNotMatch(chosen.reason, /software|SwiftShader|swiftshader|llvmpipe/);
    return;
  }
  assert.ok(!webgpu.available);
  assert.match(webgpu.reason, /not installed|no WebGPU adapter|did not start|software renderer/);
  assert.match(chosen.reason, /skipped webgpu: /);
});

test('a software adapter (SwiftShader under npm test) is named and passed over, and --backend webgpu forces it', async (t) => {
  if (!process.env.VK_ICD_FILENAMES?.includes('swiftshader')) {
    t.skip('Dawn is not pointed at SwiftShader here (scripts/test.mjs does that)');
    return;
  }
  const chosen = await selectBackend();
  const webgpu = chosen.tried.find((a) => a.name === 'webgpu')!;
  assert.notEqual(chosen.name, 'webgpu');
  assert.match(webgpu.reason, /the only WebGPU adapter is google swiftshader .*a software renderer on the CPU.*--backend webgpu forces it/);
  assert.match(chosen.reason, /skipped webgpu: the only WebGPU adapter is google swiftshader/);
  const forced = await selectBackend({ force: 'webgpu' });
  assert.equal(forced.name, 'webgpu');
  assert.match(forced.reason, /forced with --backend; WebGPU through Dawn on google swiftshader .*\(a software renderer, forced\)/);
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

test('the WebGPU training step (on SwiftShader in CI) agrees with the JS backend (relative error < 1e-3)', async (t) => {
  if (!(await useWebgpu(t))) return;
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

test('software adapters are told from hardware ones by Dawn\'s fallback flag or their names', () => {
  assert.ok(isSoftwareAdapter({ info: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' } }));
  assert.ok(isSoftwareAdapter({ info: { vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' } }));
  assert.ok(isSoftwareAdapter({ info: { vendor: 'microsoft', description: 'Microsoft Basic Render Driver' } }));
  assert.ok(isSoftwareAdapter({ info: { vendor: 'x' }, isFallbackAdapter: true }));
  assert.ok(isSoftwareAdapter({ info: { vendor: 'x', isFallbackAdapter: true } }));
  assert.ok(!isSoftwareAdapter({ info: { vendor: 'nvidia', architecture: '', description: 'NVIDIA: 580.159.04' } }));
  assert.ok(!isSoftwareAdapter({ info: { vendor: 'apple', architecture: 'metal-3' } }));
  assert.equal(describeAdapter({ info: { vendor: 'nvidia', description: 'NVIDIA: 580.159.04' } }), 'nvidia NVIDIA: 580.159.04');
  assert.equal(describeAdapter({}), 'an unnamed adapter');
});
