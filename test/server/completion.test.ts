import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CompletionRequest, InsertTextFormat, SignatureHelpRequest, type CompletionItem, type CompletionList } from 'vscode-languageserver/node';
import { cursor, TestClient } from './harness';

let client: TestClient;
before(async () => {
  client = await TestClient.start();
});
after(() => client.dispose());

async function completionsAt(textWithCursor: string, on: TestClient = client): Promise<CompletionItem[]> {
  const { text, position } = cursor(textWithCursor);
  const uri = await on.open(text);
  const result = await on.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
  return Array.isArray(result) ? result : (result as CompletionList | null)?.items ?? [];
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const body = (lines: string) => `block stage(filters, n = 2) {\n  conv filters 3x3\n}\nmodel M {\n  input 28x28x1\n${lines}\n}\n`;

test('at the top level: the declaration keywords as snippets', async () => {
  const items = await completionsAt('model A {\n  input 8x8x1\n}\n|');
  assert.deepEqual(labels(items), ['model', 'block', 'train']);
  assert.match(items[2]!.insertText!, /^train \$\{1\|A\|\} \{/);
});

test('a new statement: layers in catalogue order with docs and snippets, blocks with their parameters, structures', async () => {
  const items = await completionsAt(body('  |'));
  const names = labels(items);
  assert.deepEqual(names.slice(0, 3), ['input', 'conv', 'dwconv']);
  for (const expected of ['dense', 'relu', 'stage', 'concat', 'residual', 'repeat']) assert.ok(names.includes(expected), expected);
  const conv = items.find((i) => i.label === 'conv')!;
  assert.equal(conv.insertText, 'conv ${1:filters} ${2:kernel}');
  assert.equal(conv.insertTextFormat, InsertTextFormat.Snippet);
  assert.match((conv.documentation as { value: string }).value, /conv FILTERS KERNEL \[stride N\]/);
  assert.equal(items.find((i) => i.label === 'stage')!.insertText, 'stage(${1:filters})');
  // Inside a block: no input line, and not the block itself.
  const inBlock = labels(await completionsAt('block b(f) {\n  conv f 1x1\n  |\n}\n'));
  assert.ok(!inBlock.includes('input') && !inBlock.includes('b'));
});

test('on a layer line: the options, flags and activation not written yet', async () => {
  const names = labels(await completionsAt(body('  conv 6 5x5 same relu |')));
  assert.deepEqual(names, ['stride', 'pad', 'dilation', 'groups', 'init', 'std', 'nobias', 'bias']);
  const fresh = labels(await completionsAt(body('  C1: dense 10 |')));
  assert.ok(fresh.includes('nobias') && fresh.includes('softmax'));
  assert.deepEqual(await completionsAt(body('  conv 6 5x5 stride |')), []);
});

test('in a train section: settings not yet set, then their values and options', async () => {
  const model = 'model LeNet {\n  input 28x28x1\n}\n';
  const settings = labels(await completionsAt(`${model}train LeNet {\n  epochs 5\n  |\n}\n`));
  assert.ok(settings.includes('data') && settings.includes('optimizer') && !settings.includes('epochs'));
  assert.deepEqual(labels(await completionsAt(`${model}train LeNet {\n  optimizer |\n}\n`)), ['sgd', 'adam', 'rmsprop']);
  const datasets = await completionsAt(`${model}train LeNet {\n  data |\n}\n`);
  assert.deepEqual(labels(datasets), ['mnist', 'fashion-mnist', 'cifar10']);
  assert.equal(datasets[1]!.insertText, 'fashion-mnist', 'a hyphenated word, no quotes needed');
  assert.deepEqual(labels(await completionsAt(`${model}train LeNet {\n  earlystop monitor |\n}\n`)), ['val_loss', 'val_accuracy', 'loss', 'accuracy']);
  assert.deepEqual(labels(await completionsAt(`${model}train LeNet {\n  optimizer sgd lr 0.1 |\n}\n`)), ['momentum', 'decay', 'beta1', 'beta2', 'nesterov']);
  assert.deepEqual(labels(await completionsAt(`${model}train |`)), ['LeNet']);
});

test('in a call: the parameters in scope and the named arguments', async () => {
  const names = labels(await completionsAt('block inner(a, b = 1) {\n  relu\n}\nblock outer(width) {\n  inner(|)\n}\n'));
  assert.deepEqual(names, ['width', 'a =', 'b =']);
});

test('a client without snippets gets plain text', async () => {
  const plain = await TestClient.start({ capabilities: {} });
  try {
    const conv = (await completionsAt(body('  |'), plain)).find((i) => i.label === 'conv')!;
    assert.equal(conv.insertText, 'conv filters kernel');
    assert.equal(conv.insertTextFormat, InsertTextFormat.PlainText);
  } finally {
    plain.dispose();
  }
});

test('signature help: the block and the active parameter, by position or by name', async () => {
  const help = async (textWithCursor: string) => {
    const { text, position } = cursor(textWithCursor);
    const uri = await client.open(text);
    return client.connection.sendRequest(SignatureHelpRequest.type, { textDocument: { uri }, position });
  };
  const block = '# Two convolutions.\nblock pair(f, k, s = 1) {\n  conv f k stride s\n}\n';
  const first = await help(`${block}model M {\n  input 8x8x1\n  pair(|\n}\n`);
  assert.equal(first!.signatures[0]!.label, 'block pair(f, k, s = 1)');
  assert.deepEqual(first!.signatures[0]!.parameters!.map((p) => p.label), [[11, 12], [14, 15], [17, 22]]);
  assert.equal((first!.signatures[0]!.documentation as { value: string }).value, 'Two convolutions.');
  assert.equal(first!.activeParameter, 0);
  assert.equal((await help(`${block}model M {\n  input 8x8x1\n  pair(4, (1 + 2)|\n}\n`))!.activeParameter, 1);
  assert.equal((await help(`${block}model M {\n  input 8x8x1\n  pair(4, s = |\n}\n`))!.activeParameter, 2);
  const model = await help('model A(classes = 10) {\n  input 8x8x1\n}\nmodel B = A(|)\n');
  assert.equal(model!.signatures[0]!.label, 'model A(classes = 10)');
  assert.equal(await help(`${block}model M {\n  input 8x8x1\n  pair(4, 3)\n  |\n}\n`), null);
});

test('after until or freeze on a pretrained line: the base\'s layers, read from its model.json beside the document', async () => {
  const uri = `file://${join(__dirname, '..', '..', 'samples')}/typing.cnn`;
  const { text, position } = cursor('model T {\n  input 160x160x3\n  pretrained "backbones/mobilenet-v2-nsfwjs/model.json" until |\n}\n');
  await client.open(text, uri);
  const result = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
  const names = labels(Array.isArray(result) ? result : (result as CompletionList | null)?.items ?? []);
  assert.equal(names[0], 'Conv1_pad', 'in the base\'s order');
  assert.ok(names.includes('block_13_expand_relu') && names.includes('out_relu'), names.slice(-5).join(', '));
});

test('after in.: the fields of the shape flowing into the line', async () => {
  const items = await completionsAt('block b(t) {\n  conv in.| * t 1x1\n}\n');
  assert.deepEqual(labels(items), ['h', 'w', 'c']);
  assert.match(items[2]!.detail!, /channels/);
});
