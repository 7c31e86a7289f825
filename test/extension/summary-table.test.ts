import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { summarize } from '../../src/language/passes/summarize';
import { summaryText } from '../../src/extension/panels/summary-table';

const lenet = readFileSync(join(__dirname, '..', '..', 'samples', 'lenet5.cnn'), 'utf8');

test('a row per layer with shape, parameters and multiply-adds, then the Keras totals', () => {
  const text = summaryText(summarize(analyze(lenet), 'lenet5.cnn'), 'LeNet5', 'lenet5.cnn');
  const lines = text.split('\n');
  assert.equal(lines[0], 'Model: LeNet5  (lenet5.cnn)');
  const c1 = lines.find((l) => l.startsWith('C1 (Conv2D)'))!;
  assert.match(c1, /28×28×6\s+156\s+117,600\s+5×5\s+8$/);
  assert.ok(lines.includes('Total params: 61,706'));
  assert.ok(lines.includes('Non-trainable params: 0'));
  assert.ok(lines.includes('Mult-adds per example: 416,520'));
});

test('errors are listed with their line, and a missing model says so', () => {
  const broken = lenet.replace('C3: conv 16 5x5 relu', 'C3: conv 16 25x25 relu');
  const summary = summarize(analyze(broken), 'lenet5.cnn');
  const text = summaryText(summary, 'LeNet5', 'lenet5.cnn');
  assert.match(text, /1 error .*\n {2}lenet5\.cnn:10:\d+: .*25×25/);
  assert.match(summaryText(summary, 'Nope', 'lenet5.cnn'), /has no model named Nope/);
});
