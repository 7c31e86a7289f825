import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { confusionMatrix, perClassScores } from '../../src/engine/evaluation/class-metrics';
import { evaluateRun } from '../../src/engine/evaluation/run-evaluation';
import { train } from '../../src/engine/training/trainer';
import { pngBytes, writeFile } from '../fixtures/datasets';

test('confusion matrix and per-class precision, recall and F1', () => {
  const matrix = confusionMatrix(Int32Array.from([0, 0, 1, 1, 2, 0]), Int32Array.from([0, 1, 1, 1, 2, 2]), 3);
  assert.deepEqual(matrix, [[1, 0, 0], [1, 2, 0], [1, 0, 1]]);
  const [zero, one, two] = perClassScores(matrix);
  assert.deepEqual([zero!.precision, zero!.recall, zero!.support], [1 / 3, 1, 1]);
  assert.deepEqual([one!.precision, one!.recall], [1, 2 / 3]);
  assert.ok(Math.abs(two!.f1 - 2 / 3) < 1e-12);
});

test('convlab eval: a finished run on its test split, with calibration fitted on validation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-eval-'));
  const file = join(dir, 'm.cnn');
  writeFileSync(file, 'model M {\n  input 28x28x1\n  conv 4 3x3 relu\n  maxpool 2x2\n  flatten\n  dense 10 softmax\n}\ntrain M {\n  data mnist\n  epochs 2\n  batch 32\n  limit 320\n  validation 0.1\n  seed 5\n}\n');
  const done = await train({ file, runsDir: join(dir, 'runs'), onEvent: () => {} });
  assert.equal(done.type, 'done');
  if (done.type !== 'done') return;
  const report = await evaluateRun(done.runDir);
  assert.equal(report.examples, 10_000);
  assert.equal(report.confusion.flat().reduce((a, b) => a + b, 0), 10_000);
  assert.equal(report.perClass.length, 10);
  assert.equal(report.classes[7], '7');
  assert.equal(report.calibration.fittedOn, 'validation split');
  assert.ok(report.calibration.temperature > 0 && Number.isFinite(report.calibration.after.ece));
  assert.ok(report.calibration.after.nll <= report.calibration.before.nll + 0.05, 'a temperature fitted on validation does not hurt the test NLL much');
  assert.ok(report.worst.length > 0 && report.worst[0]!.label !== report.worst[0]!.predicted);
  // The same weights (best/ is the last epoch here, as validation loss fell) give the run's test accuracy.
  assert.ok(Math.abs(report.accuracy - done.testAccuracy) < 0.02, `${report.accuracy} against ${done.testAccuracy}`);
});

test('convlab eval --data: other labelled images, by class folder, as the test split; a class the run lacks is an error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-eval-data-'));
  const file = join(dir, 'm.cnn');
  writeFileSync(file, 'model M {\n  input 28x28x1\n  flatten\n  dense 10 softmax\n}\ntrain M {\n  data mnist\n  epochs 1\n  batch 32\n  limit 64\n  validation 0.1\n  seed 5\n}\n');
  const done = await train({ file, runsDir: join(dir, 'runs'), onEvent: () => {} });
  const images = join(dir, 'scans');
  // A vertical bar for the ones, a ring for the zeros, in colour: the run's gray input converts them.
  for (let i = 0; i < 3; i++) writeFile(join(images, '1', `one-${i}.png`), pngBytes(28, 28, (x) => (Math.abs(x - 14) < 2 ? [255, 255, 255] : [0, 0, 0])));
  for (let i = 0; i < 2; i++) writeFile(join(images, '0', `zero-${i}.png`), pngBytes(28, 28, (x, y) => (Math.abs(Math.hypot(x - 14, y - 14) - 8) < 2 ? [255, 255, 255] : [0, 0, 0])));
  const report = await evaluateRun(done.runDir, { data: images });
  assert.equal(report.testData, images);
  assert.equal(report.examples, 5);
  assert.deepEqual(report.confusion.map((row) => row.reduce((a, b) => a + b, 0)), [2, 3, 0, 0, 0, 0, 0, 0, 0, 0]);
  // Each mistake names its image, so the student can open it or send it to the service.
  for (const mistake of report.worst) assert.match(mistake.file ?? '', new RegExp(`scans[\\\\/]${mistake.label}[\\\\/](one|zero)-\\d\\.png$`), JSON.stringify(mistake));
  writeFile(join(images, 'cat', 'c.png'), pngBytes(28, 28, () => [0, 0, 0]));
  await assert.rejects(evaluateRun(done.runDir, { data: images }), /scans[\\/]cat: class "cat" is not one of the training classes/);
});
