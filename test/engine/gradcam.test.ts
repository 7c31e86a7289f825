import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { PNG } from 'pngjs';
import { analyze } from '../../src/language/passes/analyze';
import { selectBackend } from '../../src/engine/backends/select-backend';
import { baseModelReader } from '../../src/engine/model/base-location';
import { loadBaseWeights } from '../../src/engine/model/base-model';
import { compileModel } from '../../src/engine/model/compile';
import { gradCam } from '../../src/engine/explanation/grad-cam';
import { gradCamPng } from '../../src/engine/explanation/heatmap-image';
import { tf } from '../../src/engine/backends/tf';

const sample = (name: string) => analyze(readFileSync(join(__dirname, '..', '..', 'samples', name), 'utf8'));

before(async () => {
  await selectBackend({ force: 'wasm' });
});

test('Grad-CAM of LeNet-5: the last maps by default, a heat map scaled to [0, 1], and a PNG of the input size', () => {
  const graph = sample('lenet5.cnn').models[0]!;
  const compiled = compileModel(graph, { seed: 2 });
  const image = Float32Array.from({ length: 28 * 28 }, (_, i) => ((i % 28) > 10 && (i % 28) < 18 ? 1 : 0));
  const cam = gradCam(graph, compiled, image);
  assert.equal(cam.layer, 'S4');
  assert.deepEqual([cam.height, cam.width], [5, 5]);
  assert.ok(Math.abs(cam.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.ok(cam.heatmap.every((v) => v >= 0 && v <= 1));
  const early = gradCam(graph, compiled, image, { layer: 'C1', classIndex: 3 });
  assert.deepEqual([early.height, early.width, early.classIndex], [28, 28, 3]);
  const png = PNG.sync.read(gradCamPng(image, [28, 28, 1], cam.heatmap, cam.height, cam.width));
  assert.deepEqual([png.width, png.height], [28, 28]);
  compiled.model.dispose();
});

test('Grad-CAM of a layer inside ResNet-18\'s residual stages follows the shortcuts after it', () => {
  const graph = sample('resnet18.cnn').models.find((m) => m.name === 'ResNet18Cifar')!;
  const compiled = compileModel(graph, { seed: 1 });
  const image = Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => ((i * 7919) % 101) / 100);
  const last = gradCam(graph, compiled, image);
  assert.equal(last.layer, 'relu_17');
  // conv1's maps feed the first stage's shortcut as well as its body.
  const early = gradCam(graph, compiled, image, { layer: 'conv1', classIndex: last.classIndex });
  assert.deepEqual([early.height, early.width], graph.nodes.find((n) => n.name === 'conv1')!.outputShape!.slice(0, 2));
  assert.ok(early.heatmap.every((v) => v >= 0 && v <= 1) && early.heatmap.some((v) => v > 0));
  assert.deepEqual(Array.from(early.probabilities), Array.from(last.probabilities), 'the replayed model predicts what the model does');
  assert.throws(() => gradCam(graph, compiled, image, { layer: 'fc' }), /not maps/);
  compiled.model.dispose();
});

test('Grad-CAM of a middle layer equals differentiating the layers after it by hand', () => {
  const graph = sample('lenet5.cnn').models[0]!;
  const compiled = compileModel(graph, { seed: 2 });
  const image = Float32Array.from({ length: 28 * 28 }, (_, i) => ((i * 31) % 17) / 16);
  const cam = gradCam(graph, compiled, image, { layer: 'C3', classIndex: 4 });
  // Independently: the class score's gradient at C3's output through a model with C3 as an output.
  const model = compiled.model;
  const c3 = model.getLayer(compiled.layerOfNode.get(graph.nodes.find((n) => n.name === 'C3')!.id)!);
  const reference = tf.tidy(() => {
    const x = tf.tensor(image, [1, 28, 28, 1]);
    const maps = tf.model({ inputs: model.inputs, outputs: c3.output as tf.SymbolicTensor }).predict(x) as tf.Tensor4D;
    // LeNet-5 is one chain: every layer after C3's, in the model's order.
    const chain = model.layers.slice(model.layers.indexOf(c3) + 1);
    const head = (a: tf.Tensor) => chain.reduce((y, layer) => layer.apply(y, { training: false }) as tf.Tensor, a);
    const gradient = tf.grad((a: tf.Tensor) => head(a).mul(tf.oneHot([4], 10).toFloat()).sum())(maps) as tf.Tensor4D;
    const weighted = maps.mul(gradient.mean([1, 2], true)).sum(-1).squeeze([0]).relu();
    return weighted.div(weighted.max()).dataSync() as Float32Array;
  });
  assert.ok(cam.heatmap.every((v, i) => Math.abs(v - reference[i]!) < 1e-5));
  compiled.model.dispose();
});

test('Grad-CAM of a layer inside a pretrained base, between its residual adds', () => {
  const file = join(__dirname, '..', '..', 'samples', 'transfer-ants-bees.cnn');
  const graph = analyze(readFileSync(file, 'utf8'), { readBaseModel: baseModelReader(file) }).models[0]!;
  const compiled = compileModel(graph, { seed: 3 });
  loadBaseWeights(graph, compiled);
  const image = Float32Array.from({ length: 160 * 160 * 3 }, (_, i) => ((i * 13) % 255) / 255);
  const cam = gradCam(graph, compiled, image, { layer: 'features/block_11_add' });
  assert.deepEqual([cam.height, cam.width], [10, 10]);
  assert.ok(cam.heatmap.every((v) => Number.isFinite(v) && v >= 0 && v <= 1));
  compiled.model.dispose();
});
