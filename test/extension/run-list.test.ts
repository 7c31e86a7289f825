import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeRun, listRuns, unusableRunReason } from '../../src/extension/runs/run-list';

function runsFolder(): string {
  const runs = mkdtempSync(join(tmpdir(), 'convlab-runs-'));
  const make = (name: string, files: Record<string, string>) => {
    mkdirSync(join(runs, name), { recursive: true });
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(runs, name, path, '..'), { recursive: true });
      writeFileSync(join(runs, name, path), text);
    }
  };
  const summary = (accuracy: number) => JSON.stringify({ model: 'LeNet5', file: '/work/m/lenet5.cnn', test: { accuracy } });
  make('LeNet5-20250101-120000', { 'summary.json': summary(0.97), 'best/model.json': '{}' });
  make('ResNet18-20250301-090000', { 'metrics.jsonl': '', 'last/model.json': '{}' });
  make('LeNet5-20250301-090000-2', { 'summary.json': summary(0.99), 'last/model.json': '{}' });
  make('LeNet5-20250301-090000', { 'summary.json': '{ torn', 'best/model.json': '{}' });
  make('not-a-run', { 'notes.txt': 'hello' });
  writeFileSync(join(runs, 'stray-file.json'), '{}');
  return runs;
}

test('runs are listed newest first by the start time in their names, whatever the model', () => {
  const runs = listRuns(runsFolder());
  assert.deepEqual(runs.map((r) => r.name), ['LeNet5-20250301-090000-2', 'LeNet5-20250301-090000', 'ResNet18-20250301-090000', 'LeNet5-20250101-120000']);
  assert.deepEqual(listRuns(join(tmpdir(), 'convlab-no-such-folder')), []);
});

test('a run\'s summary gives its model, model file and test accuracy; a torn one still names the run', () => {
  const dir = runsFolder();
  const finished = describeRun(join(dir, 'LeNet5-20250101-120000'));
  assert.deepEqual({ ...finished, runDir: '' }, { runDir: '', name: 'LeNet5-20250101-120000', model: 'LeNet5', file: '/work/m/lenet5.cnn', finished: true, hasWeights: true, testAccuracy: 0.97 });
  const torn = describeRun(join(dir, 'LeNet5-20250301-090000'));
  assert.equal(torn.model, 'LeNet5');
  assert.equal(torn.testAccuracy, undefined);
});

test('only a finished run with weights can be evaluated or served, and the reason says what is missing', () => {
  const dir = runsFolder();
  assert.equal(unusableRunReason(describeRun(join(dir, 'LeNet5-20250101-120000'))), undefined);
  assert.match(unusableRunReason(describeRun(join(dir, 'ResNet18-20250301-090000')))!, /no summary.json: it did not finish training/);
  assert.match(unusableRunReason({ ...describeRun(join(dir, 'LeNet5-20250101-120000')), hasWeights: false })!, /no best\/ or last\/ checkpoint/);
});
