import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CONFIRM_ABOVE_SECONDS, DEFAULT_MACS_PER_SECOND, describeEstimate, estimateEpoch, formatDuration, needsConfirmation, ThroughputStore,
  trainingMacsPerSecond, TYPICAL_EPOCH_EXAMPLES, type KeyValueStore,
} from '../../src/extension/jobs/estimate';

// Multiply-adds per example, as `convlab summary --json` reports them.
const LENET5_MACS = 416_520;
const VGG16_MACS = 15_470_264_320;

test('the wasm default reproduces the measured LeNet-5 speed: about 3,500 images/s', () => {
  const examplesPerSecond = DEFAULT_MACS_PER_SECOND.wasm / (LENET5_MACS * 3);
  assert.ok(examplesPerSecond > 3300 && examplesPerSecond < 3700, String(examplesPerSecond));
});

test('LeNet-5 on MNIST-sized data with wasm: under a minute an epoch, no question asked', () => {
  const estimate = estimateEpoch({ macsPerExample: LENET5_MACS, backend: 'wasm' });
  assert.equal(estimate.examples, TYPICAL_EPOCH_EXAMPLES);
  assert.equal(estimate.examplesAssumed, true);
  assert.equal(estimate.measured, false);
  assert.ok(estimate.seconds > 10 && estimate.seconds < 60, String(estimate.seconds));
  assert.equal(needsConfirmation(estimate), false);
});

test('VGG16 on a CPU backend asks first, even on a thousand images', () => {
  const estimate = estimateEpoch({ macsPerExample: VGG16_MACS, backend: 'wasm', limit: 1000 });
  assert.ok(estimate.seconds > CONFIRM_ABOVE_SECONDS);
  assert.equal(needsConfirmation(estimate), true);
  assert.match(describeEstimate(estimate), /per epoch on wasm \(1,000 images; speed a default/);
});

test('a measured throughput replaces the default; a limit caps the known epoch size', () => {
  const measured = trainingMacsPerSecond(3000, LENET5_MACS);
  const estimate = estimateEpoch({ macsPerExample: LENET5_MACS, backend: 'wasm', measuredMacsPerSecond: measured, knownExamples: 60000, limit: 6000 });
  assert.equal(estimate.examples, 6000);
  assert.equal(estimate.measured, true);
  assert.ok(Math.abs(estimate.seconds - 2) < 1e-9);
  assert.equal(estimateEpoch({ macsPerExample: LENET5_MACS, backend: 'wasm', knownExamples: 300, limit: 6000 }).examples, 300);
  assert.equal(estimateEpoch({ macsPerExample: LENET5_MACS, backend: 'wasm', knownExamples: 54000 }).examplesAssumed, false);
});

test('formatDuration reads like a person would say it', () => {
  assert.equal(formatDuration(0.42), '0.4 s');
  assert.equal(formatDuration(45.4), '45 s');
  assert.equal(formatDuration(60), '1 min');
  assert.equal(formatDuration(200), '3 min 20 s');
  assert.equal(formatDuration(7500), '2 h 5 min');
  assert.equal(formatDuration(3 * 86400 + 4 * 3600), '3 d 4 h');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), 'unknown');
});

class MapStore implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}

test('ThroughputStore keeps MACs/s per backend, the last auto backend and epoch sizes per model', async () => {
  const store = new ThroughputStore(new MapStore());
  assert.equal(store.macsPerSecond('wasm'), undefined);
  // Recorded in training multiply-adds per example, as the estimate counts them.
  await store.recordThroughput('wasm', 2000, LENET5_MACS * 3);
  await store.recordThroughput('cpu', 15, LENET5_MACS * 3);
  await store.recordThroughput('cpu', 0, LENET5_MACS * 3);
  assert.equal(store.macsPerSecond('wasm'), 2000 * LENET5_MACS * 3);
  assert.equal(store.macsPerSecond('cpu'), 15 * LENET5_MACS * 3);
  await store.recordBackend('wasm');
  assert.equal(store.lastBackend(), 'wasm');
  await store.recordEpochExamples('/m/a.cnn', 'LeNet5', 54000);
  assert.equal(store.epochExamples('/m/a.cnn', 'LeNet5'), 54000);
  assert.equal(store.epochExamples('/m/a.cnn', 'Other'), undefined);
});

test('the summary\'s training MACs and dataset size replace the rules of thumb; a guessed size never asks', () => {
  // The ants/bees sample: a frozen base costs its forward pass alone, about a third of 3 × macs.
  const transfer = { macsPerExample: 112_612_000, trainingMacsPerExample: 112_620_000 };
  const unknownSize = estimateEpoch({ ...transfer, backend: 'wasm' });
  assert.equal(unknownSize.examplesAssumed, true);
  assert.ok(unknownSize.seconds > CONFIRM_ABOVE_SECONDS, 'a typical dataset would be long');
  assert.equal(needsConfirmation(unknownSize), false, 'but the size is a guess: no question');
  const cifar = estimateEpoch({ macsPerExample: VGG16_MACS, backend: 'wasm', datasetExamples: 45_000 });
  assert.deepEqual([cifar.examples, cifar.examplesAssumed, needsConfirmation(cifar)], [45_000, false, true]);
  const lastRun = estimateEpoch({ ...transfer, backend: 'wasm', knownExamples: 243, datasetExamples: 45_000 });
  assert.equal(lastRun.examples, 243, 'what the last run saw wins');
  assert.ok(Math.abs(lastRun.seconds - (243 * 112_620_000) / DEFAULT_MACS_PER_SECOND.wasm) < 1e-6);
});

test('throughput is recorded in the same training MACs the estimate used, so a re-estimate is exact', async () => {
  const store = new ThroughputStore(new MapStore());
  await store.recordThroughput('wasm', 30, 112_620_000);
  const estimate = estimateEpoch({ macsPerExample: 112_612_000, trainingMacsPerExample: 112_620_000, backend: 'wasm', measuredMacsPerSecond: store.macsPerSecond('wasm'), knownExamples: 243 });
  assert.ok(Math.abs(estimate.seconds - 243 / 30) < 1e-9);
});
