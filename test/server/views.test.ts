import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import {
  CodeLensRequest, DidChangeConfigurationNotification, DocumentSymbolRequest, FoldingRangeKind, FoldingRangeRequest, InlayHintRequest,
  type DocumentSymbol, type InlayHint,
} from 'vscode-languageserver/node';
import { COMMANDS, type ModelCommandArgs } from '../../src/protocol/lsp';
import { sample, TestClient } from './harness';

let client: TestClient | undefined;
afterEach(() => client?.dispose());

const wholeFile = { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } };

async function hintsOf(on: TestClient, text: string): Promise<string[]> {
  const uri = await on.open(text);
  const hints = await on.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: wholeFile });
  const lines = text.split('\n');
  return (hints ?? []).map((h: InlayHint) => `${lines[h.position.line]!.slice(0, h.position.character).trim()} ${h.label as string}`);
}

test('inlay hints: the shape after each layer line, the count where there is one', async () => {
  client = await TestClient.start();
  const hints = await hintsOf(client, sample('lenet5.cnn'));
  assert.deepEqual(hints, [
    'input 28x28x1 → 28×28×1',
    'C1: conv 6 5x5 pad 2 relu → 28×28×6 · 156 params',
    'S2: maxpool 2x2 stride 2 → 14×14×6',
    'C3: conv 16 5x5 relu → 10×10×16 · 2,416 params',
    'S4: maxpool 2x2 stride 2 → 5×5×16',
    'flatten → 400',
    'C5: dense 120 relu → 120 · 48,120 params',
    'F6: dense 84 relu → 84 · 10,164 params',
    'out: dense 10 softmax → 10 · 850 params',
  ]);
});

test('inlay hints: a block call shows what it hands on; a block line only when every call agrees', async () => {
  client = await TestClient.start();
  const hints = await hintsOf(client, sample('vgg16.cnn'));
  assert.ok(hints.includes('block1: stage(64, 2) → 112×112×64 · 38,720 params'), hints.join('\n'));
  assert.ok(!hints.some((h) => h.startsWith('repeat n')), 'the stages differ');
  const agreeing = await hintsOf(client, 'block b(f) {\n  conv f 1x1\n  relu\n}\nmodel M {\n  input 8x8x3\n  b(4)\n  b(4)\n}\n');
  // Both calls give 8×8×4, but the second reads 4 channels rather than 3: 20 parameters, not 16.
  assert.deepEqual(agreeing.slice(0, 2), ['conv f 1x1 → 8×8×4', 'relu → 8×8×4']);
});

test('inlay hints follow the convlab.inlayHints.enabled setting, and a change asks for a refresh', async () => {
  client = await TestClient.start({ settings: { inlayHints: { enabled: false } } });
  assert.deepEqual(await hintsOf(client, sample('lenet5.cnn')), []);
  client.settings = { inlayHints: { enabled: true } };
  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  assert.equal((await hintsOf(client, sample('lenet5.cnn'))).length, 9);
  assert.equal(client.inlayHintRefreshes, 1);
});

test('code lenses: Train, Architecture, Summary, the count, Open as PyTorch and Explain an image above each model; Feature maps above its convolutions', async () => {
  client = await TestClient.start();
  const text = sample('lenet5.cnn');
  const uri = await client.open(text);
  const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
  const titles = lenses!.map((l) => `${l.range.start.line}:${l.command!.title}`);
  const modelLine = text.split('\n').findIndex((line) => line.startsWith('model LeNet5'));
  assert.deepEqual(titles, [`${modelLine}:Train`, `${modelLine}:Architecture`, `${modelLine}:Summary`, `${modelLine}:61,706 params`, `${modelLine}:Open as PyTorch`, `${modelLine}:Explain an image`, `${modelLine + 2}:Feature maps`, `${modelLine + 4}:Feature maps`]);
  assert.deepEqual(lenses!.map((l) => l.command!.command), [COMMANDS.train, COMMANDS.showArchitecture, COMMANDS.showSummary, COMMANDS.showSummary, COMMANDS.openAsPytorch, COMMANDS.explainImage, COMMANDS.showFeatureMaps, COMMANDS.showFeatureMaps]);
  const train = lenses![0]!.command!.arguments![0] as ModelCommandArgs;
  assert.equal(train.uri, uri);
  assert.equal(train.model, 'LeNet5');
  assert.equal((lenses![6]!.command!.arguments![0] as ModelCommandArgs).layer, 'C1');

  const broken = await client.open(text.replace('5x5 pad 2', '50x50'));
  const brokenLenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: broken } });
  assert.equal(brokenLenses![0]!.command!.title, 'Train (fix errors first)');
  assert.equal(brokenLenses![0]!.command!.command, COMMANDS.train);
  assert.match(brokenLenses![0]!.command!.tooltip!, /1 error; the first, on line 8: C1: kernel 50×50/);
});

test('code lenses: Feature maps only for lines in the model body, not inside blocks', async () => {
  client = await TestClient.start();
  const uri = await client.open(sample('googlenet.cnn'));
  const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
  assert.equal(lenses!.filter((l) => l.command!.title === 'Feature maps').length, 0);
  const counts = lenses!.filter((l) => l.command!.title.endsWith('params')).map((l) => l.command!.title);
  assert.equal(counts.length, 3);
  // Keras' total: torchvision's 6,624,904 plus 14,560 batchnorm statistics.
  assert.equal(counts[0], '6,639,464 params');
});

test('document symbols: models with their layers and calls, blocks, train sections', async () => {
  client = await TestClient.start();
  const uri = await client.open(sample('resnet18.cnn'));
  const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
  assert.deepEqual(symbols.map((s) => `${s.name} ${s.detail ?? ''}`.trim()), ['basic (filters, s = 1)', 'ResNet18 11,699,112 params', 'ResNet18Cifar = ResNet18(classes = 10, size = 32) · 11,191,242 params', 'train ResNet18Cifar']);
  const resnet = symbols[1]!;
  assert.deepEqual(resnet.children!.slice(0, 6).map((s) => `${s.name} ${s.detail}`), [
    'input_1 224×224×3', 'conv1 112×112×64', 'batchnorm_1 112×112×64', 'relu_1 112×112×64', 'maxpool_1 56×56×64', 'basic 56×56×64',
  ]);
  assert.equal(symbols[3]!.children!.map((s) => s.name).join(' '), 'data epochs batch optimizer augment reducelr seed');

  const nested = await client.open('model M {\n  input 8x8x1\n  concat {\n    { conv 2 1x1 }\n    { conv 3 1x1 }\n  }\n}\n');
  const [model] = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: nested } })) as DocumentSymbol[];
  assert.deepEqual(model!.children!.map((s) => `${s.name} ${s.detail} [${(s.children ?? []).map((c) => c.name).join(', ')}]`), ['input_1 8×8×1 []', 'concat_1 8×8×5 [conv_1, conv_2]']);
});

test('folding: every multi-line { } group and each run of comment lines', async () => {
  client = await TestClient.start();
  const text = '# one\n# two\nblock b(f) {\n  concat {\n    { conv f 1x1 }\n    {\n      relu\n    }\n  }\n}\n# alone\nmodel M { input 8x8x1 }\n';
  const uri = await client.open(text);
  const ranges = await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
  assert.deepEqual(ranges!.map((r) => [r.startLine, r.endLine, r.kind ?? '']), [[0, 1, FoldingRangeKind.Comment], [2, 8, ''], [3, 7, ''], [5, 6, '']]);
});

test('inlay hints: a pretrained line shows its base\'s output and what of it trains', async () => {
  client = await TestClient.start();
  const uri = `file://${join(__dirname, '..', '..', 'samples')}/inlay.cnn`;
  const text = sample('transfer-ants-bees.cnn');
  await client.open(text, uri);
  const hints = await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: wholeFile });
  const labels = (hints ?? []).map((h: InlayHint) => h.label as string);
  assert.ok(labels.includes('→ 10×10×576 · 616,256 params, frozen'), labels.join('\n'));
});
