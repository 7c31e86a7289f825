import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SummaryJson } from '../../src/protocol/summary';

// These run the built CLI (npm test builds first), as a user would.
const root = join(__dirname, '..', '..');
const convlab = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'convlab.js'), ...args], { cwd: root, encoding: 'utf8' });

const expected: Record<string, [string, keyof SummaryJson['models'][number]['params'], number][]> = {
  'lenet5.cnn': [['LeNet5', 'trainable', 61_706]],
  'alexnet.cnn': [['AlexNet', 'trainable', 61_100_840], ['AlexNetTowers', 'trainable', 60_965_224]],
  'vgg16.cnn': [['VGG16', 'trainable', 138_357_544]],
  'googlenet.cnn': [['GoogLeNet', 'trainable', 6_624_904], ['GoogLeNetAux', 'trainable', 13_004_888]],
  'resnet18.cnn': [['ResNet18', 'trainable', 11_689_512]],
  'resnet50.cnn': [['ResNet50', 'trainable', 25_557_032]],
  'mobilenetv2.cnn': [['MobileNetV2', 'trainable', 3_504_872]],
  'densenet121.cnn': [['DenseNet121', 'trainable', 7_978_856]],
  'resnet50-keras.cnn': [['ResNet50Keras', 'total', 25_636_712], ['ResNet50Keras', 'nonTrainable', 53_120]],
};

for (const [file, checks] of Object.entries(expected)) {
  test(`convlab summary samples/${file} --json gives the reference counts`, () => {
    const result = convlab('summary', `samples/${file}`, '--json');
    assert.equal(result.status, 0, result.stderr);
    const json = JSON.parse(result.stdout) as SummaryJson;
    assert.equal(json.file, `samples/${file}`);
    // ResNet's projection shortcuts come with an information note; nothing else may be said.
    assert.deepEqual(json.diagnostics.filter((d) => d.severity !== 'info'), []);
    for (const [model, kind, count] of checks) assert.equal(json.models.find((m) => m.name === model)?.params[kind], count, `${model} ${kind}`);
  });
}

test('the JSON schema: layers in order, input first, shapes without the batch, 0-based ranges', () => {
  const json = JSON.parse(convlab('summary', 'samples/lenet5.cnn', '--json').stdout) as SummaryJson;
  const [lenet] = json.models;
  assert.deepEqual(lenet!.layers.map((l) => l.outputShape), [[28, 28, 1], [28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16], [400], [120], [84], [10]]);
  assert.deepEqual(lenet!.layers[1], {
    name: 'C1', type: 'Conv2D', outputShape: [28, 28, 6], params: 156, trainableParams: 156, macs: 117_600, receptiveField: [5, 5],
    // A dense layer joining the same 28×28×1 input to the 28×28×6 output: 784 × 4,704 + 4,704.
    denseEquivalent: { inputShape: [28, 28, 1], params: 3_692_640 },
    range: { start: { line: 7, character: 2 }, end: { line: 7, character: 27 } },
  });
  assert.deepEqual(lenet!.params, { total: 61_706, trainable: 61_706, nonTrainable: 0 });
  assert.equal(lenet!.macs, 416_520);
});

test('errors print as FILE:LINE:COL: error: message, and exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-'));
  const file = join(dir, 'bad.cnn');
  writeFileSync(file, 'model M {\n  input 8x8x1\n  conv 4 9x9\n  dense\n}\n');
  const result = convlab('summary', file);
  assert.equal(result.status, 1);
  assert.match(result.stdout, new RegExp(`${file.replace(/[/\\]/g, '.')}:3:3: error: conv: kernel 9×9 is larger than its 8×8 input \\[kernel-too-large\\]`));
  assert.match(result.stdout, /bad\.cnn:4:3: error: dense needs its units/);
  const json = JSON.parse(convlab('summary', file, '--json').stdout) as SummaryJson;
  assert.deepEqual(json.diagnostics.map((d) => [d.code, d.range.start]), [['kernel-too-large', { line: 2, character: 2 }], ['missing-argument', { line: 3, character: 2 }]]);
});

test('a table for people, and clear errors for a missing file or model', () => {
  const table = convlab('summary', 'samples/lenet5.cnn');
  assert.equal(table.status, 0);
  assert.match(table.stdout, /C1 \(Conv2D\)\s+28×28×6\s+156/);
  assert.match(table.stdout, /Total params: 61,706/);
  const missing = convlab('summary', 'nope.cnn');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.cnn: cannot read the model file \(ENOENT\)/);
  const noModel = convlab('summary', 'samples/lenet5.cnn', '--model', 'X');
  assert.match(noModel.stderr, /no model named 'X' \(models: LeNet5\)/);
});

test('convlab summary of the transfer sample: the base read from its model.json, and each stage\'s counts', () => {
  const text = convlab('summary', 'samples/transfer-ants-bees.cnn');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /features\/block_13_expand_relu \(ReLU\) +10×10×576/);
  assert.match(text.stdout, /Stage 1 \(train, 8 epochs at learning rate 0\.003\): 2,306 trainable, 617,408 non-trainable/);
  assert.match(text.stdout, /Stage 2 \(fine-tune, 4 epochs at learning rate 0\.0001\): 173,378 trainable, 446,336 non-trainable/);
  const json = JSON.parse(convlab('summary', 'samples/transfer-ants-bees.cnn', '--json').stdout) as SummaryJson;
  assert.deepEqual(json.diagnostics, []);
  assert.deepEqual(json.models[0]!.stages!.map((s) => [s.name, s.params.trainable, s.params.total]), [['train', 2_306, 619_714], ['fine-tune', 173_378, 619_714]]);
});
