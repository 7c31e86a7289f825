import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ModelAtRequest, ModelGraphRequest, SummaryRequest } from '../../src/protocol/lsp';
import { positionAt, sample, TestClient } from './harness';

let client: TestClient;
before(async () => {
  client = await TestClient.start();
});
after(() => client.dispose());

test('convlab/modelGraph: every model as a graph, with the version it was computed from', async () => {
  const text = sample('googlenet.cnn');
  const uri = await client.open(text);
  const result = await client.connection.sendRequest(ModelGraphRequest, { uri });
  assert.equal(result.version, 1);
  assert.equal(result.hasErrors, false);
  assert.deepEqual(result.graphs.map((g) => g.model), ['GoogLeNet', 'GoogLeNetAux', 'GoogLeNetCifar']);
  assert.equal(result.graphs[1]!.outputs.length, 3);

  await client.change(uri, text.replace('inception(64, 96', 'inception(64, x96'));
  const broken = await client.connection.sendRequest(ModelGraphRequest, { uri });
  assert.deepEqual([broken.version, broken.hasErrors], [2, true]);
});

test('convlab/summary: the object `convlab summary --json` prints, with the file path', async () => {
  const uri = await client.open(sample('lenet5.cnn'), 'file:///work/samples/lenet5.cnn');
  const summary = await client.connection.sendRequest(SummaryRequest, { uri });
  assert.equal(summary.file, '/work/samples/lenet5.cnn');
  assert.equal(summary.models[0]!.params.total, 61_706);
  assert.deepEqual(summary.models[0]!.layers[1], {
    name: 'C1', type: 'Conv2D', outputShape: [28, 28, 6], params: 156, trainableParams: 156, macs: 117_600, receptiveField: [5, 5],
    denseEquivalent: { inputShape: [28, 28, 1], params: 3_692_640 },
    range: { start: { line: 7, character: 2 }, end: { line: 7, character: 27 } },
  });
  assert.deepEqual(summary.diagnostics, []);
});

test('convlab/modelAt: the model around a position and the layer on its line', async () => {
  const text = sample('lenet5.cnn');
  const uri = await client.open(text);
  const at = (needle: string, delta = 0) => client.connection.sendRequest(ModelAtRequest, { uri, position: positionAt(text, needle, delta) });
  assert.deepEqual(await at('C1:', 8), { model: 'LeNet5', layer: 'C1', hasFilters: true });
  assert.deepEqual(await at('C5:'), { model: 'LeNet5', layer: 'C5', hasFilters: false });
  assert.deepEqual(await at('model LeNet5'), { model: 'LeNet5' });
  assert.deepEqual(await at('  epochs 5', 2), { model: 'LeNet5' });
  assert.deepEqual(await at('# LeNet-5'), {});
});

test('a request for a document that is not open fails with a message', async () => {
  await assert.rejects(client.connection.sendRequest(SummaryRequest, { uri: 'file:///nowhere.cnn' }), /not open in the editor/);
});

test('convlab/summary counts an image folder\'s training images, so the estimate does not take the limit for its size', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  const dir = mkdtempSync(join(tmpdir(), 'convlab-summary-'));
  try {
    // 243 images like the ants/bees training folder (122 + 121), no val/: a 10% holdout leaves 219.
    for (const [cls, n] of [['ants', 122], ['bees', 121]] as const) {
      mkdirSync(join(dir, 'bees', 'train', cls), { recursive: true });
      for (let i = 0; i < n; i++) writeFileSync(join(dir, 'bees', 'train', cls, `${i}.jpg`), '');
    }
    const text = 'model M {\n  input 8x8x3\n  flatten\n  dense 2 softmax\n}\ntrain M {\n  data "./bees"\n  limit 6000\n}\n';
    const uri = await client.open(text, pathToFileURL(join(dir, 'm.cnn')).href);
    const summary = await client.connection.sendRequest(SummaryRequest, { uri });
    assert.equal(summary.models[0]!.trainExamples, 219);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
