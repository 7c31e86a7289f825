import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EncodedArray } from '../../src/protocol/inspect';
import { cellFill, cellSize, matrixCells, MAX_CELL, MIN_CELL, rowShares } from '../../src/webview/evaluation/matrix';
import { calibrationGap, reliabilityBars } from '../../src/webview/evaluation/reliability';
import { displayScale, inputPixels, overlayPixels } from '../../src/webview/gradcam/overlay';
import { sampleBilinear, upsample } from '../../src/protocol/heatmap';
import { classNamesOf } from '../../src/webview/gradcam/probabilities';
import { tableIndex } from '../../src/webview/shared/colour-table';

function encoded(shape: number[], values: number[]): EncodedArray {
  const floats = Float32Array.from(values);
  return { shape, dtype: 'float32', data: Buffer.from(floats.buffer).toString('base64'), min: Math.min(...values), max: Math.max(...values) };
}

test('row shares: each true class sums to 1, an empty class stays 0 rather than NaN', () => {
  assert.deepEqual(rowShares([[187, 47], [9, 381]]).map((row) => row.map((v) => Number(v.toFixed(4)))), [[0.7991, 0.2009], [0.0231, 0.9769]]);
  assert.deepEqual(rowShares([[0, 0], [1, 3]]), [[0, 0], [0.25, 0.75]]);
});

test('matrix cells: one per pair, row-major, the diagonal correct', () => {
  const cells = matrixCells([[187, 47], [9, 381]]);
  assert.deepEqual(cells.map((c) => [c.row, c.column, c.count, c.correct]), [[0, 0, 187, true], [0, 1, 47, false], [1, 0, 9, false], [1, 1, 381, true]]);
});

test('cell fill: blue for right, red for wrong, stronger with the row share; a lone mistake still tinted, an empty cell not', () => {
  assert.equal(cellFill({ share: 1, count: 5, correct: true }), 'color-mix(in srgb, var(--vscode-charts-blue, #3794ff) 100%, var(--vscode-editor-background, #1f1f1f))');
  assert.match(cellFill({ share: 0.001, count: 1, correct: false }), /charts-red.* 10%/);
  assert.match(cellFill({ share: 0, count: 0, correct: false }), / 0%,/);
  assert.match(cellFill({ share: 0.5, count: 500, correct: false }), / 55%,/);
});

test('cell size: large for two classes, small for many, within its bounds', () => {
  assert.equal(cellSize(2, 600), MAX_CELL);
  assert.equal(cellSize(10, 500), 50);
  assert.equal(cellSize(100, 500), MIN_CELL);
});

test('reliability bars: empty bins left out; with the bins before scaling, each bin splits in two halves', () => {
  const bin = (lower: number, count: number, confidence = lower + 0.05, accuracy = lower) => ({ lower, upper: lower + 0.1, count, confidence, accuracy });
  const after = [bin(0.5, 0), bin(0.8, 10, 0.85, 0.8), bin(0.9, 90, 0.97, 0.93)];
  assert.deepEqual(reliabilityBars(after).map((b) => [b.series, b.x0, Number(b.x1.toFixed(2))]), [['after', 0.8, 0.9], ['after', 0.9, 1]]);
  const before = [bin(0.5, 3), bin(0.8, 0), bin(0.9, 97)];
  assert.deepEqual(reliabilityBars(after, before).map((b) => [b.series, Number(b.x0.toFixed(2)), Number(b.x1.toFixed(2))]), [
    ['before', 0.5, 0.55], ['before', 0.9, 0.95], ['after', 0.85, 0.9], ['after', 0.95, 1],
  ]);
  assert.ok(Math.abs(calibrationGap(after[2]!) - -0.04) < 1e-12, 'over-confident is negative');
});

test('the input image: each channel stretched to 0–255; grey repeated for one channel', () => {
  const grey = inputPixels(encoded([1, 2, 1], [-0.42, 2.8]));
  assert.deepEqual([grey.width, grey.height, ...grey.rgb], [2, 1, 0, 0, 0, 255, 255, 255]);
  const colour = inputPixels(encoded([1, 2, 3], [0, 10, 5, 1, 20, 5]));
  assert.deepEqual([...colour.rgb], [0, 0, 0, 255, 255, 0], 'a constant channel maps to 0');
});

test('bilinear sampling as the engine does it: exact at map points, clamped at the edges, between them a blend', () => {
  const map = { height: 2, width: 2, values: [0, 1, 1, 1] };
  assert.equal(sampleBilinear(map, 0, 0), 0);
  assert.equal(sampleBilinear(map, -3, -3), 0);
  assert.equal(sampleBilinear(map, 0.5, 0.5), 0.75);
  const up = upsample(map, 4, 4);
  assert.equal(up[0], 0, 'the corner pixel sits on the corner value');
  assert.equal(up[15], 1);
  assert.ok(up[5]! > 0 && up[5]! < 1);
});

test('the overlay: opacity 0 is the image, 1 the colour map; the image enlarged with crisp pixels', () => {
  const colours = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) colours.set([i, 0, 255 - i], i * 3);
  const image = { width: 1, height: 1, rgb: new Uint8ClampedArray([100, 100, 100]) };
  const hot = { height: 1, width: 1, values: [1] };
  assert.deepEqual([...overlayPixels(image, hot, colours, 0).rgba], [100, 100, 100, 255]);
  assert.deepEqual([...overlayPixels(image, hot, colours, 1).rgba], [255, 0, 0, 255]);
  assert.deepEqual([...overlayPixels(image, hot, colours, 0.5).rgba], [178, 50, 50, 255]);
  const big = overlayPixels(image, hot, colours, 0, 3);
  assert.deepEqual([big.width, big.height, big.rgba.length], [3, 3, 36]);
  assert.equal(tableIndex(2), 255 * 3, 'values are clamped into the table');
  assert.equal(displayScale(28, 28, 360), 12);
  assert.equal(displayScale(512, 384, 360), 1, 'never shrinks');
});

test('class names: the run\'s, else the indices', () => {
  assert.deepEqual(classNamesOf({ classes: 3 }), ['0', '1', '2']);
  assert.deepEqual(classNamesOf({ classes: 2, classNames: ['NORMAL', 'PNEUMONIA'] }), ['NORMAL', 'PNEUMONIA']);
});
