import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunProgress } from '../../src/extension/jobs/run-progress';
import type { EngineEvent } from '../../src/protocol/engine';

const start: EngineEvent = { type: 'start', runDir: '/runs/LeNet5-1', model: 'LeNet5', file: 'l.cnn', params: { total: 61706, trainable: 61706, nonTrainable: 0 }, epochs: 2, batchSize: 64 };
const backend: EngineEvent = { type: 'backend', name: 'wasm', reason: 'r', tried: [] };
const dataset: EngineEvent = { type: 'dataset', name: 'mnist', source: 's', checksum: 'c', inputShape: [28, 28, 1], classes: [], trainExamples: 600, validationExamples: 0, testExamples: 100, notes: [] };

test('before training: starting, then preparing on the backend', () => {
  const progress = new RunProgress('LeNet5');
  assert.equal(progress.detailText(), 'starting the engine…');
  [start, backend, dataset].forEach((e) => progress.apply(e));
  assert.equal(progress.fraction(), 0);
  assert.equal(progress.remainingSeconds(), undefined);
  assert.equal(progress.detailText(), 'preparing on wasm…');
  assert.equal(progress.statusText(), 'LeNet5 starting');
  assert.equal(progress.runDir, '/runs/LeNet5-1');
});

test('during an epoch: fraction over all epochs and the ETA from the measured speed', () => {
  const progress = new RunProgress('LeNet5');
  [start, backend, dataset].forEach((e) => progress.apply(e));
  progress.apply({ type: 'epochBegin', epoch: 1, epochs: 2, learningRate: 0.001, batches: 10 });
  progress.apply({ type: 'batch', epoch: 1, batch: 5, batches: 10, loss: 1.2346, accuracy: 0.5, learningRate: 0.001, examplesPerSecond: 300 });
  assert.equal(progress.fraction(), 0.25);
  // 1.5 epochs of min(600, 10 × 64) = 600 examples at 300/s.
  assert.equal(progress.remainingSeconds(), 3);
  assert.equal(progress.measuredEpochSeconds(), 2);
  assert.equal(progress.statusText(), 'LeNet5 1/2 25%');
  assert.equal(progress.detailText(), 'epoch 1/2 · batch 5/10 · loss 1.235 · acc 50.0% · 3.0 s left · 300 img/s');
  progress.apply({ type: 'epochEnd', epoch: 1, epochs: 2, learningRate: 0.001, seconds: 2, examplesPerSecond: 300, loss: 1, accuracy: 0.6, valLoss: 1.1, valAccuracy: 0.55 });
  assert.equal(progress.fraction(), 0.5);
  assert.match(progress.detailText(), /val 55\.0%/);
  assert.equal(progress.events.length, 6);
});
