import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { summarize } from '../../src/language/passes/summarize';
import { mlpCard, mlpComparison } from '../../src/extension/panels/mlp-card';
import { summaryText } from '../../src/extension/panels/summary-table';

const lenet = readFileSync(join(__dirname, '..', '..', 'samples', 'lenet5.cnn'), 'utf8');

/*
 * LeNet-5 as samples/lenet5.cnn writes it, by hand:
 *   C1: 28×28×1 = 784 inputs → 28×28×6 = 4,704 outputs. Conv: 6 × (5·5·1 + 1) = 156.
 *       Dense: 784 × 4,704 + 4,704 = 3,687,936 + 4,704 = 3,692,640.
 *   C3: 14×14×6 = 1,176 inputs → 10×10×16 = 1,600 outputs. Conv: 16 × (5·5·6 + 1) = 2,416.
 *       Dense: 1,176 × 1,600 + 1,600 = 1,881,600 + 1,600 = 1,883,200.
 *   The rest is dense already: C5 400·120 + 120 = 48,120; F6 120·84 + 84 = 10,164;
 *       out 84·10 + 10 = 850; together 59,134.
 *   CNN: 156 + 2,416 + 59,134 = 61,706. MLP: 3,692,640 + 1,883,200 + 59,134 = 5,634,974.
 *   Ratios: 3,692,640 / 156 = 23,670.8; 1,883,200 / 2,416 = 779.5; 5,634,974 / 61,706 = 91.3.
 */
test('the CNN-against-MLP card for LeNet-5 holds the hand-computed figures', () => {
  const model = summarize(analyze(lenet), 'lenet5.cnn').models[0]!;
  const comparison = mlpComparison(model)!;
  assert.deepEqual(comparison.rows.map((r) => [r.layer, r.input, r.output, r.cnnParams, r.denseParams]), [
    ['C1 (Conv2D)', [28, 28, 1], [28, 28, 6], 156, 3_692_640],
    ['C3 (Conv2D)', [14, 14, 6], [10, 10, 16], 2_416, 1_883_200],
  ]);
  assert.equal(comparison.others, 59_134);
  assert.equal(comparison.cnnTotal, 61_706);
  assert.equal(comparison.mlpTotal, 5_634_974);

  const card = mlpCard(model);
  const row = (start: string) => card.find((line) => line.startsWith(start))!;
  assert.match(row('C1 (Conv2D)'), /28×28×1 → 28×28×6\s+156\s+3,692,640\s+23,671×$/);
  assert.match(row('C3 (Conv2D)'), /14×14×6 → 10×10×16\s+2,416\s+1,883,200\s+779×$/);
  assert.match(row('Other layers'), /59,134\s+59,134$/);
  assert.match(row('Total'), /61,706\s+5,634,974\s+91×$/);
});

test('the card sits in the Show summary document after the table, and only where there are convolutions', () => {
  const text = summaryText(summarize(analyze(lenet), 'lenet5.cnn'), 'LeNet5', 'lenet5.cnn');
  assert.ok(text.indexOf('CNN against MLP') > text.indexOf('Total params: 61,706'));
  const mlp = 'model M {\n  input 28x28x1\n  flatten\n  dense 10 softmax\n}\n';
  const plain = summarize(analyze(mlp), 'm.cnn').models[0]!;
  assert.deepEqual(mlpCard(plain), []);
  assert.ok(!summaryText(summarize(analyze(mlp), 'm.cnn'), 'M', 'm.cnn').includes('CNN against MLP'));
});
