import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { loadCheckpointWeights, saveCheckpoint } from '../../src/engine/model/checkpoint';
import { compileModel, tfLayerName } from '../../src/engine/model/compile';
import { tf } from '../../src/engine/backends/tf';
import { train } from '../../src/engine/training/trainer';
import type { EngineEvent } from '../../src/protocol/engine';
import { inspectLayer, loadInspectable } from '../../src/engine/explanation/feature-maps';
import { cifarRecords, pngBytes, temporaryDir, writeFile } from '../fixtures/datasets';

const tmp = temporaryDir();
after(tmp.remove);
const samples = join(__dirname, '..', '..', 'samples');

/** A small CIFAR-10 in its published binary layout: 20 training images, 4 test images. */
function cifarDataDir(): string {
  const dir = join(tmp.dir, 'data');
  const pixel = (r: number, c: number, p: number) => (r * 37 + c * 91 + p * 7) % 256;
  for (let i = 1; i <= 5; i++) writeFile(join(dir, 'cifar10', 'cifar-10-batches-bin', `data_batch_${i}.bin`), cifarRecords([2 * i - 2, 2 * i - 1, 2 * i - 2, 2 * i - 1], pixel));
  writeFile(join(dir, 'cifar10', 'cifar-10-batches-bin', 'test_batch.bin'), cifarRecords([6, 7, 8, 9], pixel));
  return dir;
}

// The samples train as shipped (their train sections, data cifar10), for two batches of 8.
for (const [file, model] of [['mobilenetv2.cnn', 'MobileNetV2Cifar'], ['densenet121.cnn', 'DenseNet121Cifar']] as const) {
  test(`${model} (samples/${file}) trains as shipped for two batches`, async () => {
    const events: EngineEvent[] = [];
    const done = await train({ file: join(samples, file), model, dataDir: cifarDataDir(), runsDir: join(tmp.dir, 'runs'), epochs: 1, batch: 8, limit: 16, backend: 'wasm', onEvent: (e) => events.push(e), batchEventInterval: 0 });
    assert.equal(done.type, 'done');
    const batches = events.filter((e) => e.type === 'batch');
    assert.ok(batches.length >= 1 && batches.every((b) => b.type === 'batch' && Number.isFinite(b.loss)), JSON.stringify(batches));
  });
}

test('split towers compile to channel slices: each tower sees only its half, as groups 2 does', () => {
  const text = 'model M {\n  input 6x6x4\n  split {\n    { a: conv 3 3x3 pad 1 nobias }\n    { b: conv 3 3x3 pad 1 nobias }\n  }\n}\nmodel G {\n  input 6x6x4\n  g: conv 6 3x3 pad 1 nobias groups 2\n}\n';
  const [towers, grouped] = analyze(text).models;
  const t = compileModel(towers!, { seed: 1 });
  const g = compileModel(grouped!, { seed: 1 });
  // Give the grouped convolution the towers' kernels, then both must compute the same.
  g.model.getLayer('g.g0').setWeights(t.model.getLayer('a').getWeights());
  g.model.getLayer('g.g1').setWeights(t.model.getLayer('b').getWeights());
  const x = tf.randomNormal([2, 6, 6, 4], 0, 1, 'float32', 7);
  const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(t.model.predict(x) as tf.Tensor, g.model.predict(x) as tf.Tensor))).dataSync()[0]!);
  assert.ok(difference < 1e-5, `towers and groups differ by ${difference}`);
  x.dispose();
  t.model.dispose();
  g.model.dispose();
});

test('a checkpoint saved before layers in labelled calls were qualified loads into the qualified model', async () => {
  const text = 'block fire(s) {\n  conv s 1x1 relu\n}\nmodel M {\n  input 4x4x2\n  fire2: fire(3)\n  flatten\n  dense 2\n}\n';
  const graph = analyze(text).models[0]!;
  const compiled = compileModel(graph, { seed: 1 });
  assert.ok(compiled.model.getLayer(tfLayerName('fire2/conv_1')));
  // The same model as it was compiled before: its conv was called conv_1.
  const old = tf.sequential({ layers: [tf.layers.conv2d({ name: 'conv_1', inputShape: [4, 4, 2], filters: 3, kernelSize: 1, activation: 'relu' }), tf.layers.flatten({ name: 'flatten_1' }), tf.layers.dense({ name: 'dense_1', units: 2 })] });
  const dir = join(mkdtempSync(join(tmpdir(), 'convlab-old-run-')), 'last');
  await saveCheckpoint(dir, old, undefined, { epoch: 1, batchesDone: 0, learningRate: 0.01, trainingSeconds: 1, schedule: {} });
  await loadCheckpointWeights(dir, compiled.model, compiled.renamed);
  const saved = old.getLayer('conv_1').getWeights()[0]!.dataSync();
  assert.deepEqual(Array.from(compiled.model.getLayer(tfLayerName('fire2/conv_1')).getWeights()[0]!.dataSync()), Array.from(saved));
  old.dispose();
  compiled.model.dispose();
});

test('convlab inspect --layer takes a layer\'s qualified name and the name older runs knew it by', async () => {
  const file = writeFile(join(tmp.dir, 'fire.cnn'), 'block fire(s) {\n  conv s 1x1 relu\n}\nmodel M {\n  input 8x8x3\n  conv 4 1x1\n  fire2: fire(3)\n  flatten\n  dense 2\n}\n');
  const image = writeFile(join(tmp.dir, 'x.png'), pngBytes(8, 8, (x, y) => [x * 30, y * 30, 90]));
  const model = await loadInspectable({ file, backend: 'cpu' });
  const now = await inspectLayer(model, { file, layer: 'fire2/conv_1', image });
  const before = await inspectLayer(model, { file, layer: 'conv_2', image });
  assert.deepEqual(now.activations.shape, [8, 8, 3]);
  assert.deepEqual(before.activations, now.activations);
  assert.deepEqual(before.filters?.shape, [1, 1, 4, 3]);
  model.compiled.model.dispose();
});
