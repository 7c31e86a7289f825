import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModelFile } from '../../src/engine/model/model-file';
import { openTrainingData } from '../../src/engine/data/training-data';
import { prepareData } from '../../src/engine/pytorch/training/prepared-data';
import { writeIdxFolder } from '../fixtures/datasets';
import { repoRoot } from './pytorch-harness';

/**
 * The pytorch engine trains on the examples the tfjs engine trains on: the same files, split and
 * seed give the same examples in each split. The indices it writes are checked against the
 * dataset's own files, and the examples against those the tfjs engine's loop visits.
 */
test('the same files, split and seed give both engines the same examples in each split (checked by index)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-torch-split-'));
  const idx = writeIdxFolder(join(dir, 'mnist'), { train: 200, test: 60 });
  const file = join(dir, 'model.cnn');
  writeFileSync(file, 'model M {\n  input 4x3x1\n  flatten\n  dense 10 softmax\n}\ntrain M {\n  data mnist\n  validation 0.2\n  limit 100\n  seed 5\n  batch 16\n}\n');
  const { graph, spec } = loadModelFile(file);
  const data = await openTrainingData(graph, spec, { file, dataDir: dir });
  const prepared = await prepareData(data, [4, 3, 1], join(dir, 'prepared'), spec.limit, false);
  const ints = (path: string) => Array.from(new Int32Array(new Uint8Array(readFileSync(path)).buffer));
  const floats = (path: string) => new Float32Array(new Uint8Array(readFileSync(path)).buffer);
  const row = (x: Float32Array, k: number) => Array.from(x.subarray(k * 12, (k + 1) * 12));

  const splits = [['train', prepared.train, idx.trainImages, idx.trainLabels], ['validation', prepared.validation!, idx.trainImages, idx.trainLabels], ['test', prepared.test, idx.testImages, idx.testLabels]] as const;
  for (const [name, split, images, labels] of splits) {
    const indices = ints(split.indices!);
    const x = floats(split.examples);
    const y = ints(split.labels);
    assert.equal(indices.length, split.count, name);
    indices.forEach((i, k) => {
      assert.equal(y[k], labels[i], `${name} ${k}: the label of example ${i}`);
      assert.deepEqual(row(x, k), Array.from(images.subarray(i * 12, (i + 1) * 12), (v) => Math.fround(v / 255)), `${name} ${k}: the pixels of example ${i}`);
    });
  }
  const train = ints(prepared.train.indices!);
  const validation = ints(prepared.validation!.indices!);
  assert.equal(train.length, 100);
  assert.equal(validation.length, 40, 'a fifth of the 200 held out (limit caps it at 100)');
  assert.ok(validation.every((i) => !train.includes(i)), 'no validation example trains');

  // The tfjs engine's epoch visits the same examples in its own shuffled order; its evaluation the same in order.
  const visited: number[][] = [];
  for await (const batch of data.train.batches(spec.batch, { shuffle: true, seed: spec.seed! + 3, limit: spec.limit })) {
    for (let k = 0; k < batch.count; k++) visited.push(Array.from(batch.x.subarray(k * 12, (k + 1) * 12)));
  }
  const sorted = (rows: number[][]) => rows.map((r) => r.join(',')).sort();
  assert.deepEqual(sorted(visited), sorted(Array.from({ length: 100 }, (_, k) => row(floats(prepared.train.examples), k))));
  const evaluated: number[] = [];
  for await (const batch of data.validation!.batches(128, { limit: spec.limit })) evaluated.push(...batch.labels);
  assert.deepEqual(evaluated, ints(prepared.validation!.labels));
});

/**
 * Every train setting of docs/language.md is tested on the pytorch engine or refused there with
 * a located error: a new setting fails this test until it is one or the other.
 */
const COVERAGE: Record<string, [file: string, what: string]> = {
  data: ['pytorch-engine.test.ts', 'an image folder with mean/std normalisation'],
  epochs: ['pytorch-engine.test.ts', 'seed, limit, epochs, batch'],
  batch: ['pytorch-engine.test.ts', 'seed, limit, epochs, batch'],
  optimizer: ['pytorch-engine.test.ts', 'rmsprop with momentum'],
  lr: ['pytorch-engine.test.ts', 'the lr line'],
  loss: ['pytorch-engine.test.ts', 'label smoothing'],
  validation: ['pytorch-engine.test.ts', 'validating on the test split'],
  augment: ['pytorch-runtime.test.ts', 'every augmentation'],
  earlystop: ['pytorch-engine.test.ts', 'earlystop with restore'],
  reducelr: ['pytorch-engine.test.ts', 'reducelr'],
  checkpoint: ['pytorch-engine.test.ts', 'reducelr, checkpoint'],
  seed: ['pytorch-engine.test.ts', 'seed, limit'],
  limit: ['pytorch-engine.test.ts', 'seed, limit'],
  metrics: ['pytorch-engine.test.ts', 'top5'],
  finetune: ['pytorch-engine.test.ts', 'two stages of fine-tuning'],
  critical: ['pytorch-engine-runs.test.ts', 'critical class'],
  precision: ['pytorch-engine-runs.test.ts', 'precision bf16 trains on the CPU; fp16 without CUDA'],
  classweights: ['pytorch-engine.test.ts', 'balanced class weights'],
  // devices N runs the runtime under torchrun (torchrun.test.ts); pytorch-distributed.test.ts trains two such processes.
  devices: ['torchrun.test.ts', 'with them, under convlab_torch.torchrun'],
};

test('every train setting in docs/language.md is tested on the pytorch engine', () => {
  const docs = readFileSync(join(repoRoot, 'docs', 'language.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## Train settings'), docs.indexOf('<!-- reference:end -->'));
  const settings = [...section.matchAll(/^### `([a-z0-9]+)`/gm)].map((m) => m[1]!);
  assert.ok(settings.length >= 18, `found the settings: ${settings.join(', ')}`);
  for (const setting of settings) {
    const covered = COVERAGE[setting];
    assert.ok(covered, `train setting '${setting}' is neither tested on the pytorch engine nor refused there: add it to a test and to COVERAGE`);
    const source = readFileSync(join(__dirname, covered[0]), 'utf8');
    assert.ok(source.includes(covered[1]), `${covered[0]} has no test of '${setting}' ("${covered[1]}")`);
  }
});
