import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_BATCH_EVENTS, RunProgress } from '../../src/extension/jobs/run-progress';
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

test('a long run keeps a bounded number of batch events, spanning the whole run, and every other event', () => {
  const progress = new RunProgress('M');
  progress.apply({ type: 'stage', stage: 1, stages: 1, name: 'train', fromEpoch: 1, epochs: 10, learningRate: 0.1, params: { total: 1, trainable: 1, nonTrainable: 0 } });
  const batches = 50_000;
  for (let i = 1; i <= batches; i++) {
    const epoch = Math.ceil(i / 5000);
    progress.apply({ type: 'batch', epoch, batch: i - (epoch - 1) * 5000, batches: 5000, loss: 1 / i, accuracy: 0.5, learningRate: 0.1, examplesPerSecond: 100 });
    if (i % 5000 === 0) progress.apply({ type: 'epochEnd', epoch, epochs: 10, learningRate: 0.1, seconds: 1, examplesPerSecond: 100, loss: 1, accuracy: 0.5 });
  }
  const kept = progress.events.filter((e) => e.type === 'batch');
  assert.ok(kept.length <= MAX_BATCH_EVENTS && kept.length >= MAX_BATCH_EVENTS / 2, `${kept.length} batch events kept`);
  const first = kept[0]!;
  const last = kept.at(-1)!;
  assert.ok(first.type === 'batch' && first.epoch === 1 && first.batch < 100, 'the curve still starts at the beginning');
  assert.ok(last.type === 'batch' && last.epoch === 10 && last.batch === 5000, 'and ends at the latest batch');
  assert.equal(progress.events.filter((e) => e.type === 'epochEnd').length, 10);
  assert.equal(progress.events[0]!.type, 'stage');
});
