import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calibrationError, fitTemperature, negativeLogLikelihood, type LabelledLogits } from '../../src/engine/evaluation/temperature';
import { seededRandom } from '../../src/engine/data/random';

/**
 * Labels drawn from softmax(z), then the logits handed to the calibrator multiplied by 3: an
 * over-confident model whose right temperature is about 3.
 */
function overConfident(count: number, classes: number, seed: number): LabelledLogits {
  const random = seededRandom(seed);
  const logits = new Float32Array(count * classes);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const row = Array.from({ length: classes }, () => 2 * (random() + random() + random() - 1.5));
    const max = Math.max(...row);
    const weights = row.map((z) => Math.exp(z - max));
    let pick = random() * weights.reduce((a, b) => a + b, 0);
    labels[n] = weights.findIndex((w) => (pick -= w) <= 0);
    row.forEach((z, c) => (logits[n * classes + c] = 3 * z));
  }
  return { logits, labels, classes };
}

test('temperature scaling lowers ECE and NLL on an over-confident validation set', () => {
  const validation = overConfident(4000, 10, 1);
  const before = calibrationError(validation);
  const temperature = fitTemperature(validation);
  const after = calibrationError(validation, temperature);
  assert.ok(temperature > 2.5 && temperature < 3.5, `fitted temperature ${temperature}`);
  assert.ok(after.ece < before.ece / 3, `ECE ${before.ece} → ${after.ece}`);
  assert.ok(negativeLogLikelihood(validation, temperature) < negativeLogLikelihood(validation));
  // And it carries over to examples the fit did not see.
  const test = overConfident(4000, 10, 2);
  assert.ok(calibrationError(test, temperature).ece < calibrationError(test).ece / 3);
});

test('the fitted temperature is the minimum of the NLL over the logits', () => {
  const data = overConfident(1500, 5, 3);
  const fitted = fitTemperature(data);
  const best = negativeLogLikelihood(data, fitted);
  for (const t of [0.5, 1, 2, fitted * 0.95, fitted * 1.05, 4, 8]) assert.ok(negativeLogLikelihood(data, t) >= best - 1e-9, `NLL at ${t} below the fit's`);
});

test('reliability bins count every example once and average confidence inside the bin', () => {
  const data = overConfident(500, 4, 4);
  const { bins } = calibrationError(data, 1, 10);
  assert.equal(bins.reduce((sum, b) => sum + b.count, 0), 500);
  for (const bin of bins) if (bin.count > 0) assert.ok(bin.confidence >= bin.lower && bin.confidence <= bin.upper + 1e-12);
});
