import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { totals } from '../../src/language/layer-graph';
import { compileModel } from '../../src/engine/model/compile';
import { tf } from '../../src/engine/backends/tf';

const samples = ['lenet5', 'alexnet', 'vgg16', 'googlenet', 'resnet18', 'resnet50', 'resnet50-keras'];
const count = (weights: tf.LayerVariable[]) => weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a! * b!, 1)!, 0);

before(async () => {
  await tf.setBackend('cpu');
});

for (const name of samples) {
  test(`compiled ${name}: TensorFlow.js counts equal the analyzer's, outputs have the inferred shapes`, () => {
    const analysis = analyze(readFileSync(join(__dirname, '..', '..', 'samples', `${name}.cnn`), 'utf8'));
    for (const graph of analysis.models) {
      const compiled = compileModel(graph, { seed: 1 });
      try {
        const expected = totals(graph).params;
        assert.equal(count(compiled.model.trainableWeights), expected.trainable, `${graph.name} trainable`);
        assert.equal(count(compiled.model.nonTrainableWeights), expected.nonTrainable, `${graph.name} non-trainable`);
        assert.deepEqual(compiled.model.outputs.map((o) => o.shape.slice(1)), graph.outputs.map((o) => graph.nodes[o.node]!.outputShape), graph.name);
        for (const [id, layer] of compiled.layerOfNode) {
          const node = graph.nodes[id]!;
          if (node.op === 'softmax' || !node.outputShape) continue;
          assert.deepEqual(compiled.model.getLayer(layer).outputShape.slice(1), node.outputShape, `${graph.name} ${layer}`);
        }
      } finally {
        compiled.model.dispose();
      }
    }
  });
}

test('a softmax output is folded into the loss: the model returns logits', () => {
  const graph = analyze('model M {\n  input 4x4x1\n  flatten\n  dense 3 softmax\n}\n').models[0]!;
  const compiled = compileModel(graph, { seed: 3 });
  assert.deepEqual(compiled.outputKinds, ['logits']);
  const out = compiled.model.predict(tf.ones([2, 4, 4, 1])) as tf.Tensor;
  const sums = out.sum(-1).arraySync() as number[];
  assert.ok(sums.some((s) => Math.abs(s - 1) > 1e-3), 'logits, not probabilities');
  compiled.model.dispose();
});

test('the same seed gives the same initial weights', () => {
  const graph = analyze('model M {\n  input 8x8x1\n  conv 2 3x3\n  flatten\n  dense 2\n}\n').models[0]!;
  const a = compileModel(graph, { seed: 7 });
  const b = compileModel(graph, { seed: 7 });
  const c = compileModel(graph, { seed: 8 });
  const flat = (m: tf.LayersModel) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
  assert.deepEqual(flat(a.model), flat(b.model));
  assert.notDeepEqual(flat(a.model), flat(c.model));
  [a, b, c].forEach((m) => m.model.dispose());
});

test('init normal std S draws kernels from N(0, S²) (plain, grouped and dilated convolutions, dense); biases start at zero', () => {
  const graph = analyze('model M {\n  input 16x16x4\n  plain: conv 32 3x3 init normal std 0.01\n  grouped: conv 32 3x3 groups 2 init normal std 0.02\n  dilated: conv 32 3x3 dilation 2 init normal std 0.03\n  flatten\n  fc: dense 64 init normal std 0.04\n  glorot: dense 64\n}\n').models[0]!;
  const compiled = compileModel(graph, { seed: 5 });
  const spread = (prefix: string, kind: 'kernel' | 'bias') => {
    // Layers, not weight names: TensorFlow.js numbers a weight name already used in this process.
    const layers = compiled.model.layers.filter((l) => (l.name === prefix || l.name.startsWith(`${prefix}.g`)) && l.getWeights().length > 0);
    const values = layers.flatMap((l) => Array.from(l.getWeights()[kind === 'kernel' ? 0 : 1]!.dataSync()));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    return { mean, std: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length), max: values.reduce((a, b) => Math.max(a, Math.abs(b)), 0) };
  };
  for (const [layer, std] of [['plain', 0.01], ['grouped', 0.02], ['dilated', 0.03], ['fc', 0.04]] as const) {
    const kernel = spread(layer, 'kernel');
    assert.ok(Math.abs(kernel.std / std - 1) < 0.1, `${layer}: std ${kernel.std}, expected ${std}`);
    assert.ok(Math.abs(kernel.mean) < std / 5, `${layer}: mean ${kernel.mean}`);
    assert.equal(spread(layer, 'bias').max, 0, `${layer}: the bias starts at zero`);
  }
  // Glorot uniform for 64 → 64 units: limit √(6 / 128) ≈ 0.217, std = limit / √3 ≈ 0.125.
  assert.ok(Math.abs(spread('glorot', 'kernel').std / 0.125 - 1) < 0.1);
  compiled.model.dispose();
});

test('grouped convolutions and LRN compute (AlexNet as in the paper)', () => {
  const graph = analyze('model M {\n  input 8x8x4\n  conv 6 3x3 groups 2 relu\n  lrn\n  globalavgpool\n  dense 2\n}\n').models[0]!;
  const compiled = compileModel(graph, { seed: 1 });
  const out = compiled.model.predict(tf.randomNormal([1, 8, 8, 4], 0, 1, 'float32', 1)) as tf.Tensor;
  assert.deepEqual(out.shape, [1, 2]);
  assert.ok(out.dataSync().every(Number.isFinite));
  compiled.model.dispose();
});

test('dilated convolutions compute what tf.conv2d with dilation computes, and train', async () => {
  const graph = analyze('model M {\n  input 9x9x2\n  conv 3 3x3 dilation 2 same\n  dwconv 3x3 dilation 2\n  sepconv 4 3x3 dilation 2\n  flatten\n  dense 2\n}\n').models[0]!;
  const compiled = compileModel(graph, { seed: 4 });
  assert.equal(count(compiled.model.trainableWeights), totals(graph).params.trainable);
  const x = tf.randomNormal([2, 9, 9, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
  const layer = compiled.model.getLayer(compiled.layerOfNode.get(1)!);
  const [kernel, bias] = layer.getWeights() as [tf.Tensor4D, tf.Tensor1D];
  const expected = tf.conv2d(x, kernel, 1, 'same', 'NHWC', 2).add(bias);
  const probe = tf.model({ inputs: compiled.model.inputs, outputs: layer.output as tf.SymbolicTensor });
  const actual = probe.predict(x) as tf.Tensor;
  assert.ok(tf.max(tf.abs(actual.sub(expected))).dataSync()[0]! < 1e-5);
  const optimizer = tf.train.sgd(0.1);
  const loss = () => (compiled.model.apply(x, { training: true }) as tf.Tensor).square().mean() as tf.Scalar;
  const before = loss().dataSync()[0]!;
  for (let i = 0; i < 5; i++) optimizer.minimize(loss);
  assert.ok(loss().dataSync()[0]! < before, 'the loss falls: gradients reach the dilated kernels');
  compiled.model.dispose();
});
