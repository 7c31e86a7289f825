import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineEvent } from '../../src/protocol/engine';
import type { EncodedArray } from '../../src/protocol/inspect';
import { applyEvent, runFromHistory, secondsLeft } from '../../src/webview/dashboard/run-model';
import { epochsCsv } from '../../src/webview/dashboard/export';
import { metricSeries, overlaysOf } from '../../src/webview/dashboard/series';
import { smoothedBatches } from '../../src/webview/dashboard/smoothing';
import { activationTiles, filterTiles } from '../../src/webview/featuremaps/tiles';
import { decodeFloat32, encodeFloat32 } from '../../src/protocol/encoded-array';
import { tf } from '../../src/engine/backends/tf';
import { encode } from '../../src/engine/explanation/feature-maps';
import { formatCompact, formatDuration, formatShape, formatValue } from '../../src/webview/shared/format';

/** Arrays as the engine sends them (src/protocol/encoded-array.ts). */
function encoded(shape: number[], values: number[]): EncodedArray {
  return encodeFloat32(Float32Array.from(values), shape);
}

test('the decoder reads what the engine encodes, with and without Node\'s Buffer', async () => {
  await tf.setBackend('cpu');
  const values = [0, -1.5, 3.25, 1e-8, -0, 65504, Math.fround(0.1)];
  const tensor = tf.tensor(values, [values.length]);
  const fromEngine = encode(tensor);
  tensor.dispose();
  assert.deepEqual([fromEngine.min, fromEngine.max], [-1.5, 65504]);
  // Base64 of little-endian float32 is the wire format: 1.0 is 00 00 80 3f.
  assert.equal(encodeFloat32(Float32Array.of(1), [1]).data, 'AACAPw==');
  assert.deepEqual([...decodeFloat32(fromEngine)], values.map(Math.fround));
  const buffer = globalThis.Buffer;
  try {
    // As a webview decodes it, with atob only.
    (globalThis as { Buffer?: unknown }).Buffer = undefined;
    assert.deepEqual([...decodeFloat32(fromEngine)], values.map(Math.fround));
    assert.equal(encodeFloat32(Float32Array.from(values), [values.length]).data, fromEngine.data);
  } finally {
    globalThis.Buffer = buffer;
  }
});

test('grey filters: one tile per filter, the mean over input channels, normalised to its own range', () => {
  // [kh=1, kw=2, inChannels=2, filters=2]: filter 0 has means [1, 3], filter 1 [−2, −2].
  const filters = encoded([1, 2, 2, 2], [0, -2, 2, -2, /* x=1 */ 2, -2, 4, -2]);
  const [first, second] = filterTiles(filters);
  assert.deepEqual([first!.width, first!.height], [2, 1]);
  assert.deepEqual([...first!.rgba], [0, 0, 0, 255, 255, 255, 255, 255]);
  assert.equal(first!.valueAt(1, 0), '3');
  assert.deepEqual([...second!.rgba.filter((_, i) => i % 4 === 0)], [0, 0], 'a constant filter maps to black');
});

test('RGB filters where there are 3 input channels, normalised over all three', () => {
  // One 1×1 filter with weights R = −1, G = 0, B = 1.
  const [tile] = filterTiles(encoded([1, 1, 3, 1], [-1, 0, 1]));
  assert.deepEqual([...tile!.rgba], [0, 128, 255, 255]);
  assert.equal(tile!.valueAt(0, 0), 'R -1, G 0, B 1');
});

test('activations: one colour-mapped tile per channel, each normalised', () => {
  const table = new Uint8Array(256 * 3).map((_, i) => Math.floor(i / 3));
  // 1×2 map with 2 channels: channel 0 = [0, 10], channel 1 = [5, 5].
  const tiles = activationTiles(encoded([1, 2, 2], [0, 5, 10, 5]), table);
  assert.equal(tiles.length, 2);
  assert.deepEqual([...tiles[0]!.rgba], [0, 0, 0, 255, 255, 255, 255, 255]);
  assert.deepEqual(tiles[0]!.range, [0, 10]);
  assert.deepEqual(tiles[1]!.range, [5, 5]);
  assert.equal(activationTiles(encoded([4], [1, 2, 3, 4]), table).length, 1, 'a dense layer: one strip');
});

test('smoothing recovers each interval from running means before the EMA', () => {
  // Running means 2 after 10 batches and 1.5 after 20: batches 11–20 averaged 1.
  const samples = [
    { x: 0.5, epoch: 1, batch: 10, batches: 20, loss: 2, accuracy: 0.2, learningRate: 0.1 },
    { x: 1, epoch: 1, batch: 20, batches: 20, loss: 1.5, accuracy: 0.3, learningRate: 0.1 },
  ];
  const [first, second] = smoothedBatches(samples, 1);
  assert.equal(first!.loss, 2);
  assert.ok(Math.abs(second!.loss - 1) < 1e-12, 'α = 1 keeps the interval mean itself');
  assert.ok(Math.abs(second!.accuracy - 0.4) < 1e-12);
  const half = smoothedBatches(samples, 0.5)[1]!;
  assert.ok(Math.abs(half.loss - (2 + (1 - 0.5 ** 10) * (1 - 2))) < 1e-12, 'weighted by the 10 batches of the interval');
});

test('a run folds its events: epochs, progress, time left, outcome', () => {
  const events: EngineEvent[] = [
    { type: 'start', runDir: '/r', model: 'M', file: 'm.cnn', params: { total: 10, trainable: 10, nonTrainable: 0 }, epochs: 3, batchSize: 10 },
    { type: 'epochBegin', epoch: 1, epochs: 3, learningRate: 0.01, batches: 100 },
    { type: 'batch', epoch: 1, batch: 50, batches: 100, loss: 1, accuracy: 0.5, learningRate: 0.01, examplesPerSecond: 100 },
  ];
  const run = runFromHistory({ name: 'r', runDir: '/r', events });
  assert.equal(run.status, 'running');
  // 50 batches left at 0.1 s each, then 2 epochs of 100 batches at 0.1 s.
  assert.equal(secondsLeft(run), 5 + 20);
  applyEvent(run, { type: 'epochEnd', epoch: 1, epochs: 3, learningRate: 0.01, seconds: 12, examplesPerSecond: 100, loss: 0.9, accuracy: 0.6 });
  applyEvent(run, { type: 'cancelled', runDir: '/r', epoch: 2, batch: 3, checkpoint: '/r/last' });
  assert.equal(run.status, 'cancelled');
  assert.equal(run.epochs.length, 1);
  assert.equal(secondsLeft(run), undefined);
});

test('transfer learning\'s stages fold into the run, a replayed one replacing its first telling', () => {
  const params = (trainable: number) => ({ trainable, nonTrainable: 100 - trainable, total: 100 });
  const run = runFromHistory({ name: 'r', runDir: '/r', events: [
    { type: 'stage', stage: 1, stages: 2, name: 'train', fromEpoch: 1, epochs: 8, learningRate: 0.003, params: params(10) },
    { type: 'stage', stage: 2, stages: 2, name: 'fine-tune', fromEpoch: 9, epochs: 4, learningRate: 0.0001, params: params(40) },
  ] });
  applyEvent(run, { type: 'stage', stage: 2, stages: 2, name: 'fine-tune', fromEpoch: 9, epochs: 4, learningRate: 0.0001, params: params(40) });
  assert.deepEqual(run.stages.map((s) => [s.stage, s.name, s.params.trainable]), [[1, 'train', 10], [2, 'fine-tune', 40]]);
});

test('number formats', () => {
  assert.equal(formatShape([28, 28, 6]), '28×28×6');
  assert.equal(formatShape(null), '?');
  assert.equal(formatCompact(25_557_032), '25.6 M');
  assert.equal(formatCompact(4_089_184_256), '4.09 G');
  assert.equal(formatValue(0.0008), '8e-4');
  assert.equal(formatValue(0.347761), '0.3478');
  assert.equal(formatDuration(95), '1 min 35 s');
});

test('earlier runs are listed for overlay but hidden by default: a bad one (validation loss 4e7) cannot flatten the current curves', () => {
  const bad: EngineEvent[] = [
    { type: 'start', runDir: '/runs/bad', model: 'M', file: '/m.cnn', params: { trainable: 1, nonTrainable: 0, total: 1 }, epochs: 1, batchSize: 8 },
    { type: 'epochEnd', epoch: 1, epochs: 1, learningRate: 0.1, seconds: 1, examplesPerSecond: 8, loss: 3e7, accuracy: 0.1, valLoss: 4e7, valAccuracy: 0.1 },
  ];
  const histories = [{ name: 'M', runDir: '/runs/bad', events: bad }, { name: 'M', runDir: '/runs/now', events: [] }];
  const overlays = overlaysOf(histories, '/runs/now', undefined);
  assert.deepEqual(overlays.map((o) => [o.run.runDir, o.visible]), [['/runs/bad', false]]);
  assert.deepEqual(metricSeries(undefined, overlays, 'loss'), []);
  // Shown before a reload, it stays shown.
  assert.deepEqual(overlaysOf(histories, '/runs/now', ['/runs/bad']).map((o) => o.visible), [true]);
});

test('a chart with one value or none keeps a sensible axis: accuracy stays within 0 to 100%', async () => {
  const { yDomain } = await import('../../src/webview/dashboard/y-domain.js');
  // A failed start: no values, accuracy's axis is 0 to 1, not 0 to 2.
  assert.deepEqual(yDomain([], [0, 1]), [0, 1]);
  assert.deepEqual(yDomain([1], [0, 1]), [0, 1]);
  assert.deepEqual(yDomain([1]), [0.9, 1.1]);
  assert.deepEqual(yDomain([0]), [-1, 1]);
  assert.deepEqual(yDomain([0.5, 2.5], [0]), [0, 2.5]);
});

test('the dashboard exports the numbers behind its curves as CSV, epoch by epoch', () => {
  const events: EngineEvent[] = [
    { type: 'epochEnd', epoch: 2, epochs: 2, learningRate: 0.001, seconds: 3.5, examplesPerSecond: 10, loss: 0.4, accuracy: 0.9 },
    { type: 'epochEnd', epoch: 1, epochs: 2, learningRate: 0.001, seconds: 4, examplesPerSecond: 10, loss: 0.7, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.82 },
  ];
  assert.equal(epochsCsv(runFromHistory({ name: 'r', runDir: '/r', events })), 'epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds\n1,0.7,0.8,0.6,0.82,0.001,4\n2,0.4,0.9,,,0.001,3.5\n');
});
