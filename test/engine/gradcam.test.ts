import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { PNG } from 'pngjs';
import { analyze } from '../../src/language/analyze';
import { selectBackend } from '../../src/engine/backends';
import { compileModel } from '../../src/engine/compile';
import { gradCam } from '../../src/engine/gradcam';
import { gradCamPng } from '../../src/engine/gradcam-image';

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

test('Grad-CAM refuses a layer whose output joins a shortcut later, and names one that works', () => {
  const graph = sample('resnet18.cnn').models.find((m) => m.name === 'ResNet18Cifar')!;
  const compiled = compileModel(graph, { seed: 1 });
  const image = new Float32Array(32 * 32 * 3).fill(0.5);
  assert.throws(() => gradCam(graph, compiled, image, { layer: 'conv1' }), /branches or merges .* choose a later layer, such as relu_17/);
  assert.throws(() => gradCam(graph, compiled, image, { layer: 'fc' }), /not maps/);
  compiled.model.dispose();
});
