import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import fs from 'node:fs';
import { analyze } from '../../src/language/passes/analyze';
import { baseModelReader } from '../../src/engine/model/base-location';
import { loadBaseWeights, loadModelWithBases } from '../../src/engine/model/base-model';
import { loadCheckpointWeights } from '../../src/engine/model/checkpoint';
import { compileModel, type CompiledModel } from '../../src/engine/model/compile';
import { tf } from '../../src/engine/backends/tf';
import { train } from '../../src/engine/training/trainer';
import { evaluateRun } from '../../src/engine/evaluation/run-evaluation';
import type { EngineEvent, StageEvent } from '../../src/protocol/engine';
import { saveBase, transferModelText } from '../fixtures/tiny-base';

const repoRoot = join(__dirname, '..', '..');

before(async () => {
  await tf.setBackend('cpu');
});

const MODEL = transferModelText;

/** The base as TensorFlow.js itself loads it: the reference our layers must agree with. */
async function loadOriginal(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const group = json.weightsManifest[0];
  const bytes = Buffer.concat(group.paths.map((path: string) => readFileSync(join(dir, path))));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData }));
}

function setUp(train: string): { file: string; runs: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-transfer-'));
  const file = join(dir, 'transfer.cnn');
  writeFileSync(file, MODEL(train));
  return { file, runs: join(dir, 'runs'), dir };
}

function compiledFrom(file: string): { compiled: CompiledModel; weight: (layer: string, index: number) => Float32Array } {
  const analysis = analyze(readFileSync(file, 'utf8'), { readBaseModel: baseModelReader(file) });
  assert.deepEqual(analysis.diagnostics.map((d) => d.message), []);
  const compiled = compileModel(analysis.models[0]!, { seed: 9 });
  return { compiled, weight: (layer, index) => compiled.model.getLayer(layer).getWeights()[index]!.dataSync() as Float32Array };
}

test('a base\'s weights load by Keras name and compute what the original model computes', async () => {
  const { file, dir } = setUp('epochs 1');
  await saveBase(join(dir, 'base'));
  const original = await loadOriginal(join(dir, 'base'));
  const features = tf.model({ inputs: original.inputs, outputs: original.getLayer('pool').output as tf.SymbolicTensor });
  const analysis = analyze(readFileSync(file, 'utf8'), { readBaseModel: baseModelReader(file) });
  const graph = analysis.models[0]!;
  const compiled = compileModel(graph, { seed: 1 });
  assert.equal(loadBaseWeights(graph, compiled), 1 + 4 + 2, 'conv kernel, four batchnorm weights, depthwise kernel and bias');
  const pool = graph.nodes.find((n) => n.name === 'base/pool')!;
  const ours = tf.model({ inputs: compiled.model.inputs, outputs: compiled.model.getLayer(compiled.layerOfNode.get(pool.id)!).output as tf.SymbolicTensor });
  const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5);
  const expected = features.predict(x) as tf.Tensor;
  // Training mode too: the base's batchnorm keeps its statistics, as Keras runs a frozen one.
  for (const training of [false, true]) {
    const got = ours.apply(x, { training }) as tf.Tensor;
    assert.ok(tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]! < 1e-5, `training=${training}`);
  }
});

test('two stages: the head trains on the frozen base, then fine-tuning trains the base but not its batchnorm statistics', async () => {
  const { file, runs, dir } = setUp('epochs 1; batch 32; limit 320; validation none; seed 4; optimizer adam lr 0.01; finetune epochs 1 lr 0.001 unfreeze all');
  const saved = await saveBase(join(dir, 'base'));
  const events: EngineEvent[] = [];
  const done = await train({ file, runsDir: runs, onEvent: (event) => events.push(event) });
  assert.equal(done.type, 'done');
  const stages = events.filter((e): e is StageEvent => e.type === 'stage');
  assert.deepEqual(stages.map((s) => [s.stage, s.name, s.fromEpoch, s.learningRate, s.params.trainable, s.params.nonTrainable]), [
    // The head: 7·7·6 features to 10 classes, 2,950; the base: conv 54, batchnorm 24, depthwise 60.
    [1, 'train', 1, 0.01, 2_950, 54 + 24 + 60],
    [2, 'fine-tune', 2, 0.001, 2_950 + 54 + 60, 24],
  ]);
  assert.deepEqual(events.filter((e) => e.type === 'epochBegin').map((e) => e.type === 'epochBegin' && `${e.epoch}/${e.epochs}`), ['1/2', '2/2']);

  // The first stage alone, for the weights it leaves.
  const { file: headOnly, runs: headRuns, dir: headDir } = setUp('epochs 1; batch 32; limit 320; validation none; seed 4; optimizer adam lr 0.01');
  mkdirSync(join(headDir, 'base'));
  for (const name of ['model.json', 'weights.bin']) writeFileSync(join(headDir, 'base', name), readFileSync(join(dir, 'base', name)));
  const headDone = await train({ file: headOnly, runsDir: headRuns, onEvent: () => {} });

  const same = (a: Float32Array, b: Float32Array) => a.every((v, i) => Math.abs(v - b[i]!) < 1e-6);
  const afterHead = compiledFrom(headOnly);
  await loadCheckpointWeights(join(headDone.runDir, 'last'), afterHead.compiled.model);
  assert.ok(same(afterHead.weight('base.conv', 0), saved['conv/kernel']!), 'stage 1 leaves the frozen conv as loaded');
  assert.ok(same(afterHead.weight('base.bn', 2), saved['bn/moving_mean']!), 'and the batchnorm statistics');

  const afterTuning = compiledFrom(file);
  await loadCheckpointWeights(join(done.runDir, 'last'), afterTuning.compiled.model);
  assert.ok(!same(afterTuning.weight('base.conv', 0), saved['conv/kernel']!), 'fine-tuning trains the conv');
  assert.ok(same(afterTuning.weight('base.bn', 0), saved['bn/gamma']!), 'batchnorm stays frozen');
  assert.ok(same(afterTuning.weight('base.bn', 3), saved['bn/moving_variance']!), 'with its statistics');
});

test('the shipped MobileNetV2 base computes what nsfwjs\' own model computes at out_relu', async () => {
  const dir = join(repoRoot, 'samples', 'backbones', 'mobilenet-v2-nsfwjs');
  const original = await loadOriginal(dir);
  const features = tf.model({ inputs: original.inputs, outputs: original.getLayer('out_relu').output as tf.SymbolicTensor });
  const file = join(mkdtempSync(join(tmpdir(), 'convlab-mobilenet-')), 'm.cnn');
  writeFileSync(file, `model M {\n  input 224x224x3\n  f: pretrained "${dir}/model.json" until out_relu freeze all\n  globalavgpool\n  dense 2 softmax\n}\n`);
  const analysis = analyze(readFileSync(file, 'utf8'), { readBaseModel: baseModelReader(file) });
  assert.deepEqual(analysis.diagnostics.map((d) => d.message), []);
  const graph = analysis.models[0]!;
  const compiled = compileModel(graph, { seed: 1 });
  loadBaseWeights(graph, compiled);
  const node = graph.nodes.find((n) => n.name === 'f/out_relu')!;
  const ours = tf.model({ inputs: compiled.model.inputs, outputs: compiled.model.getLayer(compiled.layerOfNode.get(node.id)!).output as tf.SymbolicTensor });
  const x = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 11);
  const difference = tf.max(tf.abs(tf.sub(ours.predict(x) as tf.Tensor, features.predict(x) as tf.Tensor))).dataSync()[0]!;
  assert.ok(difference < 1e-3, `largest difference ${difference}`);
});

test('a missing or mismatched weights file is an error naming the file', async () => {
  const { file, dir } = setUp('epochs 1');
  await saveBase(join(dir, 'base'));
  const analysis = analyze(readFileSync(file, 'utf8'), { readBaseModel: baseModelReader(file) });
  const graph = analysis.models[0]!;
  const compiled = compileModel(graph);
  writeFileSync(join(dir, 'base', 'weights.bin'), Buffer.alloc(10));
  assert.throws(() => loadBaseWeights(graph, compiled), /weights\.bin: 10 bytes, but model\.json's manifest describes \d+/);
  rmSync(join(dir, 'base', 'weights.bin'));
  assert.throws(() => loadBaseWeights(graph, compiled), /weights\.bin: cannot read the base's weights \(ENOENT\)/);
});

const sharedData = join(repoRoot, '..', 'shared', 'data');
const noXrays = existsSync(join(sharedData, 'chest_xray_subset')) ? false : `${join(sharedData, 'chest_xray_subset')} is absent`;

test('the X-ray sample trains, and its evaluation gives the confusion matrix, per-class recall and PNEUMONIA\'s sensitivity', { skip: noXrays }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'convlab-xray-'));
  const done = await train({ file: join(repoRoot, 'samples', 'xray-triage.cnn'), dataDir: sharedData, runsDir: runs, epochs: 1, limit: 48, onEvent: () => {} });
  assert.equal(done.type, 'done');
  const report = await evaluateRun(done.runDir, { dataDir: sharedData });
  assert.deepEqual(report.classes, ['NORMAL', 'PNEUMONIA']);
  assert.equal(report.examples, 50);
  assert.deepEqual(report.confusion.map((row) => row.reduce((a, b) => a + b, 0)), [25, 25], 'every test image is in one row of its class');
  assert.deepEqual(report.perClass.map((c) => c.support), [25, 25]);
  const pneumonia = report.perClass[1]!;
  assert.deepEqual(report.critical, [{ name: 'PNEUMONIA', sensitivity: pneumonia.recall, missed: report.confusion[1]![0]!, support: 25 }]);
  assert.equal(pneumonia.recall, report.confusion[1]![1]! / 25);
  // The same 50 images named as a folder of class folders give the same matrix.
  const again = await evaluateRun(done.runDir, { dataDir: sharedData, data: join(sharedData, 'chest_xray_subset', 'test') });
  assert.deepEqual(again.confusion, report.confusion);
});

test('a URL base is downloaded once into the cache, model.json last, and read offline from there', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-url-base-'));
  await saveBase(join(dir, 'served'));
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url!);
    try {
      response.end(readFileSync(join(dir, 'served', request.url!.slice('/bases/tiny/'.length))));
    } catch {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bases/tiny/model.json`;
    const file = join(dir, 'transfer.cnn');
    writeFileSync(file, MODEL('epochs 1').replace('"base/model.json"', `"${url}"`));
    const cache = join(dir, 'cache');
    const before = analyze(readFileSync(file, 'utf8'), { readBaseModel: baseModelReader(file, cache) });
    assert.match(before.diagnostics[0]!.message, /not downloaded yet/);
    const loaded = await loadModelWithBases(file, undefined, { cacheDir: cache });
    assert.equal(loaded.graph.name, 'Transfer');
    await loadModelWithBases(file, undefined, { cacheDir: cache });
    assert.deepEqual(requests, ['/bases/tiny/model.json', '/bases/tiny/weights.bin'], 'the second call finds the cache');
    const analysis = analyze(readFileSync(file, 'utf8'), { readBaseModel: baseModelReader(file, cache) });
    assert.deepEqual(analysis.diagnostics, []);
    const graph = analysis.models[0]!;
    assert.equal(loadBaseWeights(graph, compileModel(graph)), 7);
  } finally {
    server.close();
  }
});

test('a training run analyses its model file once when its base is at hand', async () => {
  const { file, runs, dir } = setUp('epochs 1; batch 32; limit 64; validation none');
  await saveBase(join(dir, 'base'));
  // The engine reads the file through node:fs at call time, so counting its reads counts analyses.
  const original = fs.readFileSync;
  let reads = 0;
  fs.readFileSync = ((path: Parameters<typeof original>[0], ...rest: unknown[]) => {
    if (path === file) reads++;
    return (original as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof original;
  try {
    await train({ file, runsDir: runs, onEvent: () => {} });
  } finally {
    fs.readFileSync = original;
  }
  assert.equal(reads, 1);
});

test('a run cancelled while fine-tuning resumes in the fine-tuning stage, with its optimizer', async () => {
  const { file, runs, dir } = setUp('epochs 1; batch 32; limit 320; validation none; seed 4; optimizer adam lr 0.01; finetune epochs 2 lr 0.001 unfreeze all');
  await saveBase(join(dir, 'base'));
  const controller = new AbortController();
  let batchesInStage2 = 0;
  const cancelled = await train({
    file, runsDir: runs, signal: controller.signal, batchEventInterval: 0,
    onEvent: (event) => {
      if (event.type === 'batch' && event.epoch === 2 && ++batchesInStage2 === 3) controller.abort();
    },
  });
  assert.equal(cancelled.type, 'cancelled');
  const resumed: EngineEvent[] = [];
  const done = await train({ file, resume: cancelled.runDir, batchEventInterval: 0, onEvent: (event) => resumed.push(event) });
  assert.equal(done.type, 'done');
  const stage = resumed.find((e): e is StageEvent => e.type === 'stage');
  assert.equal(stage, undefined, 'mid-stage: no stage begins again');
  const first = resumed.find((e) => e.type === 'epochBegin');
  assert.ok(first?.type === 'epochBegin' && first.epoch === 2 && first.learningRate === 0.001, 'fine-tuning goes on at its own rate');
  assert.deepEqual(resumed.filter((e) => e.type === 'epochEnd').map((e) => e.type === 'epochEnd' && e.epoch), [2, 3]);
});
