import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze, type AnalyzeOptions } from '../../src/language/passes/analyze';
import { totals } from '../../src/language/layer-graph';
import { hoverAt } from '../../src/language/editor/hover-text';
import { statementSites } from '../../src/language/editor/instances';
import type { ReadBaseModel } from '../../src/language/passes/pretrained';
import { trainingStages } from '../../src/language/passes/stages';
import { summarize, trainExamples, trainingMacs } from '../../src/language/passes/summarize';
import { repoRoot, sample, where } from './helpers';

/** Reads bases as the engine does: paths relative to the samples folder. */
const samplesReader: ReadBaseModel = (source) => {
  const path = join(repoRoot, 'samples', source);
  try {
    return { text: readFileSync(path, 'utf8'), location: path };
  } catch {
    return { error: `${path}: no such file` };
  }
};

/** A small functional Keras topology, written as tensorflowjs_converter writes one. */
function kerasModel(layers: object[], input: (number | null)[] = [null, 32, 32, 3]): string {
  return JSON.stringify({
    format: 'layers-model',
    modelTopology: {
      class_name: 'Functional',
      config: {
        name: 'tiny',
        layers: [{ name: 'in', class_name: 'InputLayer', config: { batch_input_shape: input, name: 'in' }, inbound_nodes: [] }, ...layers],
      },
    },
    weightsManifest: [],
  });
}

const layer = (name: string, className: string, config: object, inbound: string[]) =>
  ({ name, class_name: className, config: { name, ...config }, inbound_nodes: [inbound.map((i) => [i, 0, 0, {}])] });

const TINY = kerasModel([
  layer('pad', 'ZeroPadding2D', { padding: [[0, 1], [0, 1]] }, ['in']),
  layer('conv', 'Conv2D', { filters: 8, kernel_size: [3, 3], strides: [2, 2], padding: 'valid', use_bias: false, activation: 'linear' }, ['pad']),
  layer('bn', 'BatchNormalization', { axis: -1, epsilon: 0.001, momentum: 0.99, center: true, scale: true }, ['conv']),
  layer('relu', 'ReLU', { max_value: 6, negative_slope: 0, threshold: 0 }, ['bn']),
  layer('dw', 'DepthwiseConv2D', { kernel_size: [3, 3], strides: [1, 1], padding: 'same', depth_multiplier: 1, use_bias: false, activation: 'linear' }, ['relu']),
  layer('sum', 'Add', {}, ['relu', 'dw']),
  layer('gap', 'GlobalAveragePooling2D', {}, ['sum']),
  layer('logits', 'Dense', { units: 5, activation: 'softmax', use_bias: true }, ['gap']),
]);

const withBase = (json: string): AnalyzeOptions => ({ readBaseModel: (source) => (source === 'tiny.json' ? { text: json, location: '/bases/tiny.json' } : { error: 'no such file' }) });

const transfer = (options: string, input = '32x32x3') => `model T {\n  input ${input}\n  base: pretrained "tiny.json" ${options}\n  globalavgpool\n  dense 2 softmax\n}\n`;

test('a base becomes the layers its model.json describes, with Keras counts and shapes', () => {
  const analysis = analyze(transfer('until sum'), withBase(TINY));
  assert.deepEqual(analysis.diagnostics, []);
  const graph = analysis.models[0]!;
  const base = graph.nodes.filter((n) => n.attrs.baseLayer !== undefined);
  assert.deepEqual(base.map((n) => `${n.name}:${n.op}`), ['base/pad:zeropad', 'base/conv:conv', 'base/bn:batchnorm', 'base/relu:relu6', 'base/dw:dwconv', 'base/sum:add']);
  assert.deepEqual(base.map((n) => n.outputShape), [[33, 33, 3], [16, 16, 8], [16, 16, 8], [16, 16, 8], [16, 16, 8], [16, 16, 8]]);
  // conv 3·3·3·8 = 216; batchnorm 2·8 trainable and 2·8 statistics; depthwise 3·3·8 = 72.
  assert.deepEqual(base.map((n) => n.params.trainable + n.params.nonTrainable), [0, 216, 32, 0, 72, 0]);
  assert.deepEqual(base.find((n) => n.op === 'add')!.inputs, [base[3]!.id, base[4]!.id], 'the add reads the relu and the depthwise conv');
  assert.equal(totals(graph).params.trainable, 216 + 16 + 72 + 8 * 2 + 2);
});

test('freeze all, by count or up to a name makes those layers non-trainable', () => {
  const trainableOf = (options: string) => totals(analyze(transfer(options), withBase(TINY)).models[0]!).params;
  assert.deepEqual(trainableOf('until sum freeze all'), { trainable: 18, nonTrainable: 216 + 32 + 72, total: 18 + 320 });
  // Keras' base.layers[:3] is in, pad and conv.
  assert.deepEqual(trainableOf('until sum freeze 3'), { trainable: 16 + 72 + 18, nonTrainable: 216 + 16, total: 338 });
  assert.deepEqual(trainableOf('until sum freeze bn'), { trainable: 72 + 18, nonTrainable: 216 + 32, total: 338 });
});

test('finetune thaws the last layers of the base but keeps its batchnorm frozen', () => {
  const text = `${transfer('until sum freeze all')}train T {\n  data "bees"\n  epochs 3\n  finetune epochs 2 lr 0.0001 unfreeze all\n}\n`;
  const analysis = analyze(text, withBase(TINY));
  assert.deepEqual(analysis.diagnostics, []);
  const stages = trainingStages(analysis.models[0]!, analysis.trains[0]!);
  assert.deepEqual(stages.map((s) => [s.name, s.epochs, s.learningRate, s.params.trainable, s.params.nonTrainable]), [
    ['train', 3, 0.001, 18, 320],
    ['fine-tune', 2, 0.0001, 18 + 216 + 72, 32],
  ]);
  const lastTwo = trainingStages(analysis.models[0]!, { ...analysis.trains[0]!, finetune: { ...analysis.trains[0]!.finetune!, unfreeze: 2 } });
  assert.equal(lastTwo[1]!.params.trainable, 18 + 72, 'the last two layers are dw and the add: only dw has weights');
});

test('a fully convolutional cut takes any input size; a cut with dense layers needs the one it was built for', () => {
  assert.deepEqual(analyze(transfer('until sum', '64x48x3'), withBase(TINY)).diagnostics, []);
  const whole = analyze('model T {\n  input 64x64x3\n  pretrained "tiny.json"\n}\n', withBase(TINY));
  assert.deepEqual(whole.diagnostics.map((d) => `${d.code}@${where(whole, d)}: ${d.message}`), ['shape-mismatch@3:3: the pretrained base tiny takes 32×32×3 inputs, but gets 64×64×3']);
  const gray = analyze(transfer('until sum', '32x32x1'), withBase(TINY));
  assert.deepEqual(gray.diagnostics.map((d) => d.code), ['shape-mismatch'], 'the channels must match');
});

test('bad bases are errors at the line, naming the layer or file', () => {
  const unknown = analyze(transfer('until summ'), withBase(TINY));
  assert.deepEqual(unknown.diagnostics.map((d) => `${d.code}@${where(unknown, d)}: ${d.message} (${d.hint})`), ["unknown-name@3:38: the base has no layer named 'summ' (did you mean 'sum'?)"]);
  const missing = analyze(transfer('').replace('tiny.json', 'gone.json'), withBase(TINY));
  assert.deepEqual(missing.diagnostics.map((d) => `${d.code}@${where(missing, d)}`), ['base-unavailable@3:20']);
  const lambda = kerasModel([layer('odd', 'Lambda', { function: 'x' }, ['in'])]);
  const unsupported = analyze(transfer(''), withBase(lambda));
  assert.match(unsupported.diagnostics[0]!.message, /layer odd of the base is a Lambda, which ConvLab cannot read/);
  const graphModel = analyze(transfer(''), withBase(JSON.stringify({ format: 'graph-model', modelTopology: null })));
  assert.match(graphModel.diagnostics[0]!.message, /graph model: only layers models/);
  const notJson = analyze(transfer(''), withBase('{'));
  assert.match(notJson.diagnostics[0]!.message, /tiny\.json is not JSON/);
  const noHost = analyze(transfer(''));
  assert.equal(noHost.diagnostics[0]!.code, 'base-unavailable');
});

test('finetune without a base, or naming a layer the base lacks, is an error', () => {
  const noBase = analyze('model M {\n  input 8\n  dense 2 softmax\n}\ntrain M {\n  data "bees"\n  finetune epochs 1 lr 0.001 unfreeze 3\n}\n');
  assert.deepEqual(noBase.diagnostics.map((d) => `${d.code}@${where(noBase, d)}`), ['needs-base@7:3']);
  const badName = analyze(`${transfer('until sum freeze all')}train T {\n  data "bees"\n  finetune epochs 1 lr 0.001 unfreeze dww\n}\n`, withBase(TINY));
  assert.deepEqual(badName.diagnostics.map((d) => `${d.code}: ${d.hint}`), ["unknown-name: did you mean 'dw'?"]);
});

test('a Sequential topology reads as a chain', () => {
  const sequential = JSON.stringify({
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'seq', layers: [
        { class_name: 'Conv2D', config: { name: 'c1', batch_input_shape: [null, 28, 28, 1], filters: 4, kernel_size: [5, 5], strides: [1, 1], padding: 'same', activation: 'relu', use_bias: true } },
        { class_name: 'MaxPooling2D', config: { name: 'p1', pool_size: [2, 2], strides: null, padding: 'valid' } },
      ] },
    },
  });
  const analysis = analyze('model M {\n  input 28x28x1\n  pretrained "tiny.json" freeze all\n  flatten\n  dense 10 softmax\n}\n', withBase(sequential));
  assert.deepEqual(analysis.diagnostics, []);
  const graph = analysis.models[0]!;
  assert.deepEqual(graph.nodes.slice(1, 3).map((n) => [n.op, n.outputShape, n.params.nonTrainable]), [['conv', [28, 28, 4], 104], ['maxpool', [14, 14, 4], 0]]);
});

test('the shipped MobileNetV2 base up to out_relu has Keras\' 2,257,984 parameters (include_top=False)', () => {
  const text = 'model M {\n  input 224x224x3\n  f: pretrained "backbones/mobilenet-v2-nsfwjs/model.json" until out_relu freeze all\n  globalavgpool\n  dense 2 softmax\n}\n';
  const analysis = analyze(text, { readBaseModel: samplesReader });
  assert.deepEqual(analysis.diagnostics.map((d) => d.message), []);
  const graph = analysis.models[0]!;
  assert.deepEqual(totals(graph).params, { trainable: 2_562, nonTrainable: 2_257_984, total: 2_260_546 });
  assert.deepEqual(graph.nodes.find((n) => n.name === 'f/out_relu')!.outputShape, [7, 7, 1280]);
});

for (const file of ['transfer-ants-bees.cnn', 'xray-triage.cnn']) {
  test(`${file} analyses cleanly, and fine-tuning (where it has it) trains more of the base`, () => {
    const analysis = analyze(sample(file), { readBaseModel: samplesReader });
    assert.deepEqual(analysis.diagnostics.map((d) => d.message), []);
    const stages = trainingStages(analysis.models[0]!, analysis.trains[0]!);
    assert.ok(stages[0]!.params.nonTrainable > 500_000, 'the base is frozen in the first stage');
    if (stages[1]) {
      assert.ok(stages[1].params.trainable > stages[0]!.params.trainable);
      assert.equal(stages[1].params.total, stages[0]!.params.total);
    }
  });
}

test('hovering a pretrained line sums up the base: layers, shapes, what trains', () => {
  const text = transfer('until sum freeze 3');
  const analysis = analyze(text, withBase(TINY));
  const hover = hoverAt(analysis, text.indexOf('pretrained'), statementSites(analysis))!;
  assert.match(hover.markdown, /^\*\*base\*\* · pretrained base of 6 layers · 32×32×3 → \*\*16×16×8\*\*/);
  assert.match(hover.markdown, /From: `\/bases\/tiny\.json`, up to `sum`/);
  assert.match(hover.markdown, /Parameters: 320 \(88 trainable, 232 non-trainable\)/);
  assert.match(hover.markdown, /Frozen layers: 2 of 6/);
});

test('hovering finetune lists what trains in each stage', () => {
  const text = `${transfer('until sum freeze all')}train T {\n  data "bees"\n  epochs 3\n  finetune epochs 2 lr 0.0001 unfreeze all\n}\n`;
  const analysis = analyze(text, withBase(TINY));
  const hover = hoverAt(analysis, text.indexOf('finetune') + 2, statementSites(analysis))!;
  assert.match(hover.markdown, /- Stage 1, train \(3 epochs, lr 0\.001\): 18 trainable, 320 non-trainable\n- Stage 2, fine-tune \(2 epochs, lr 0\.0001\): 306 trainable, 32 non-trainable$/);
});

test('training multiply-adds: a frozen base costs its forward pass; LeNet-5 costs about three passes', () => {
  const lenet = analyze(sample('lenet5.cnn'));
  // Forward 416,520; weight gradients of every layer with weights (all of them); activation
  // gradients after C1 (whose 117,600 need none): 416,520 · 3 − 117,600.
  assert.equal(trainingMacs(lenet.models[0]!), 416_520 * 3 - 117_600);
  assert.equal(summarize(lenet, 'lenet5.cnn').models[0]!.trainExamples, 60_000, 'MNIST with validation none');
  const analysis = analyze(sample('transfer-ants-bees.cnn'), { readBaseModel: samplesReader });
  const graph = analysis.models[0]!;
  const head = graph.nodes.filter((n) => n.attrs.baseLayer === undefined).reduce((sum, n) => sum + n.macs, 0);
  const base = graph.nodes.filter((n) => n.attrs.baseLayer !== undefined).reduce((sum, n) => sum + n.macs, 0);
  assert.equal(trainingMacs(graph), base + 3 * head - graph.nodes.find((n) => n.params.trainable > 0)!.macs);
});

test('examples an epoch from the train section: a built-in dataset less its holdout, capped by limit', () => {
  const spec = (settings: string) => analyze(`model M {\n  input 28x28x1\n  flatten\n  dense 10 softmax\n}\ntrain M {\n  ${settings}\n}\n`).trains[0]!;
  assert.equal(trainExamples(spec('data mnist')), 54_000);
  assert.equal(trainExamples(spec('data mnist\n  validation none')), 60_000);
  assert.equal(trainExamples(spec('data cifar10\n  validation 0.2\n  limit 1000')), 1_000);
  assert.equal(trainExamples(spec('data "some/folder"')), undefined);
});
