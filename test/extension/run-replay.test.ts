import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRunFolder, latestTrainedRun, modelFromFolderName, replayRun, RunFolderError, runsOfModel } from '../../src/extension/runs/run-replay';

function runFolder(runs: string, name: string, files: { metrics?: object[]; torn?: boolean; summary?: object; weights?: boolean }): string {
  const dir = join(runs, name);
  mkdirSync(dir, { recursive: true });
  if (files.metrics) writeFileSync(join(dir, 'metrics.jsonl'), files.metrics.map((m) => `${JSON.stringify(m)}\n`).join('') + (files.torn ? '{"epoch":3,"los' : ''));
  if (files.summary) writeFileSync(join(dir, 'summary.json'), JSON.stringify(files.summary));
  if (files.weights) {
    mkdirSync(join(dir, 'best'));
    writeFileSync(join(dir, 'best', 'model.json'), '{}');
  }
  return dir;
}

// As the trainer wrote them before metrics.jsonl kept events verbatim: an epochEnd event
// without its type, plus the tensor count.
const epoch = (n: number) => ({ epoch: n, epochs: 2, learningRate: 0.001, seconds: 1.5, examplesPerSecond: 400, loss: 1 / n, accuracy: 0.5 + n / 10, valLoss: 1.1 / n, valAccuracy: 0.45 + n / 10, tensors: 42 });

test('a finished run replays as start, backend, its epochs and done', () => {
  const runs = mkdtempSync(join(tmpdir(), 'convlab-runs-'));
  const dir = runFolder(runs, 'LeNet5-20250101-120000', {
    metrics: [epoch(1), epoch(2)],
    summary: { model: 'LeNet5', file: 'l.cnn', backend: 'wasm', params: { total: 61706, trainable: 61706, nonTrainable: 0 }, spec: { epochs: 2, batch: 64 }, test: { accuracy: 0.97, loss: 0.1 }, trainingSeconds: 3, epochsRun: 2, stoppedEarly: false, bestEpoch: 2 },
  });
  const run = replayRun(dir);
  assert.equal(run.name, 'LeNet5-20250101-120000');
  assert.deepEqual(run.events.map((e) => e.type), ['start', 'backend', 'epochEnd', 'epochEnd', 'done']);
  const start = run.events[0]!;
  assert.ok(start.type === 'start' && start.epochs === 2 && start.batchSize === 64 && start.params.total === 61706);
  const second = run.events[3]!;
  assert.ok(second.type === 'epochEnd' && second.valAccuracy === 0.65 && !('tensors' in second));
  const done = run.events[4]!;
  assert.ok(done.type === 'done' && done.testAccuracy === 0.97 && done.bestEpoch === 2);
});

test('an interrupted run (no summary, a torn last line) replays the epochs it finished', () => {
  const runs = mkdtempSync(join(tmpdir(), 'convlab-runs-'));
  const dir = runFolder(runs, 'LeNet5-20250101-120000-2', { metrics: [epoch(1), epoch(2)], torn: true });
  const run = replayRun(dir);
  assert.deepEqual(run.events.map((e) => e.type), ['start', 'epochEnd', 'epochEnd']);
  const start = run.events[0]!;
  assert.ok(start.type === 'start' && start.model === 'LeNet5');
});

test('a folder that is not a run is refused with a reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-runs-'));
  assert.equal(isRunFolder(dir), false);
  assert.throws(() => replayRun(dir), RunFolderError);
});

test('runs of a model, newest first; the newest with weights for feature maps', () => {
  const runs = mkdtempSync(join(tmpdir(), 'convlab-runs-'));
  runFolder(runs, 'LeNet5-20250101-120000', { metrics: [epoch(1)], weights: true });
  runFolder(runs, 'LeNet5-20250102-090000', { metrics: [epoch(1)] });
  runFolder(runs, 'LeNet5-20250101-120000-2', { metrics: [epoch(1)], weights: true });
  runFolder(runs, 'LeNet5Wide-20250103-000000', { metrics: [epoch(1)], weights: true });
  mkdirSync(join(runs, 'LeNet5-20250104-000000'));
  assert.deepEqual(runsOfModel(runs, 'LeNet5').map((d) => d.slice(runs.length + 1)), ['LeNet5-20250102-090000', 'LeNet5-20250101-120000-2', 'LeNet5-20250101-120000']);
  assert.equal(latestTrainedRun(runs, 'LeNet5'), join(runs, 'LeNet5-20250101-120000-2'));
  assert.equal(latestTrainedRun(join(runs, 'missing'), 'LeNet5'), undefined);
  assert.equal(modelFromFolderName('ResNet-18x-20250101-120000'), 'ResNet-18x');
});

test('a run folder written before events were kept verbatim still opens (a folder the old engine wrote)', () => {
  const dir = join(__dirname, '..', 'fixtures', 'old-run-folder', 'Tiny-20261204-192743');
  const problems: string[] = [];
  const run = replayRun(dir, problems);
  assert.deepEqual(problems, []);
  assert.deepEqual(run.events.map((e) => e.type), ['start', 'backend', 'epochEnd', 'epochEnd', 'done']);
  const start = run.events[0]!;
  assert.ok(start.type === 'start' && start.model === 'Tiny' && start.epochs === 2 && start.batchSize === 32);
  const done = run.events.at(-1)!;
  assert.ok(done.type === 'done' && done.testAccuracy === 0.1241 && done.bestEpoch === 2);
});

test('events kept verbatim replay as themselves, stage and batch events included; a broken line is reported by line', () => {
  const runs = mkdtempSync(join(tmpdir(), 'convlab-runs-'));
  const dir = join(runs, 'M-20250101-120000');
  mkdirSync(dir);
  const events = [
    { type: 'start', runDir: dir, model: 'M', file: '/m.cnn', params: { total: 10, trainable: 4, nonTrainable: 6 }, epochs: 2, batchSize: 8 },
    { type: 'stage', stage: 1, stages: 2, name: 'train', fromEpoch: 1, epochs: 1, learningRate: 0.01, params: { total: 10, trainable: 4, nonTrainable: 6 } },
    { type: 'batch', epoch: 1, batch: 1, batches: 2, loss: 2, accuracy: 0.1, learningRate: 0.01, examplesPerSecond: 50 },
    { type: 'stage', stage: 2, stages: 2, name: 'fine-tune', fromEpoch: 2, epochs: 1, learningRate: 0.001, params: { total: 10, trainable: 10, nonTrainable: 0 } },
  ];
  writeFileSync(join(dir, 'metrics.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n{"type":"batch","epoch":"x"}\n{"type":"epochEnd","ep`);
  const problems: string[] = [];
  assert.deepEqual(replayRun(dir, problems).events, events);
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /metrics\.jsonl:5: at epoch: /);
  assert.match(problems[1]!, /metrics\.jsonl:6: not JSON/);
});
