import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { adaptiveBins } from '../../src/engine/model/adaptive-pool';
import { compileModel } from '../../src/engine/model/compile';
import { tf } from '../../src/engine/backends/tf';

before(async () => {
  await tf.setBackend('cpu');
});

const model = (input: string, size: string) => analyze(`model M {\n  input ${input}\n  p: adaptiveavgpool ${size}\n  flatten\n  dense 2\n}\n`);

test('the analyzer gives adaptiveavgpool its fixed output size from any input, with no parameters', () => {
  for (const [input, size, shape] of [['14x14x512', '4', [4, 4, 512]], ['2x2x512', '4x4', [4, 4, 512]], ['5x7x3', '3x2', [3, 2, 3]]] as const) {
    const analysis = model(input, size);
    assert.deepEqual(analysis.diagnostics, []);
    const node = analysis.models[0]!.nodes[1]!;
    assert.deepEqual(node.outputShape, shape);
    assert.equal(node.params.trainable + node.params.nonTrainable, 0);
  }
  assert.deepEqual(analyze('model M {\n  input 10\n  adaptiveavgpool 4\n}\n').diagnostics.map((d) => d.code), ['needs-spatial-input']);
});

test("bins are PyTorch's: floor(i·in/out) to ceil((i+1)·in/out)", () => {
  assert.deepEqual(adaptiveBins(5, 3), [[0, 2], [1, 4], [3, 5]]);
  assert.deepEqual(adaptiveBins(14, 4), [[0, 4], [3, 7], [7, 11], [10, 14]]);
  assert.deepEqual(adaptiveBins(2, 4), [[0, 1], [0, 1], [1, 2], [1, 2]]);
});

function pooled(input: number[][], size: string): number[][] {
  const [h, w] = [input.length, input[0]!.length];
  const compiled = compileModel(model(`${h}x${w}x1`, size).models[0]!, { seed: 1 });
  const layer = compiled.model.getLayer(compiled.layerOfNode.get(1)!);
  const probe = tf.model({ inputs: compiled.model.inputs, outputs: layer.output as tf.SymbolicTensor });
  const out = probe.predict(tf.tensor(input.flat(), [1, h, w, 1])) as tf.Tensor;
  const [, oh, ow] = out.shape as number[];
  const values = Array.from(out.dataSync());
  compiled.model.dispose();
  return Array.from({ length: oh! }, (_, i) => values.slice(i * ow!, (i + 1) * ow!));
}

test('the engine averages each bin as torch.nn.functional.adaptive_avg_pool2d does', () => {
  // torch: F.adaptive_avg_pool2d(torch.arange(25.).view(1, 1, 5, 5), 3)
  assert.deepEqual(pooled(Array.from({ length: 5 }, (_, r) => Array.from({ length: 5 }, (_, c) => r * 5 + c)), '3'), [[3, 4.5, 6], [10.5, 12, 13.5], [18, 19.5, 21]]);
  // 2×2 → 4×4 (GoogLeNet's auxiliary heads on 32×32 images): each value fills a 2×2 patch.
  assert.deepEqual(pooled([[1, 2], [3, 4]], '4'), [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]);
});

test('gradients flow through it: a model with it trains', async () => {
  const compiled = compileModel(model('6x6x2', '4').models[0]!, { seed: 3 });
  const x = tf.randomNormal([4, 6, 6, 2], 0, 1, 'float32', 7);
  const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
  const optimizer = tf.train.sgd(0.5);
  const loss = () => tf.losses.softmaxCrossEntropy(y, compiled.model.apply(x) as tf.Tensor) as tf.Scalar;
  const before = loss().dataSync()[0]!;
  for (let i = 0; i < 20; i++) optimizer.minimize(loss);
  assert.ok(loss().dataSync()[0]! < before, 'loss fell');
  compiled.model.dispose();
});
