import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  DefinitionRequest, DocumentHighlightRequest, PrepareRenameRequest, ReferencesRequest, RenameRequest,
  type Location, type Position, type TextDocumentEdit, type TextEdit,
} from 'vscode-languageserver/node';
import { positionAt, sample, TestClient } from './harness';

let client: TestClient;
before(async () => {
  client = await TestClient.start();
});
after(() => client.dispose());

const lines = (locations: Location[] | null) => (locations ?? []).map((l) => `${l.range.start.line}:${l.range.start.character}`);

async function renamed(text: string, position: Position, newName: string): Promise<string> {
  const uri = await client.open(text);
  const edit = await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position, newName });
  const change = edit!.documentChanges![0] as TextDocumentEdit;
  assert.equal(change.textDocument.version, 1);
  return TextDocument.applyEdits(TextDocument.create(uri, 'cnn', 1, text), change.edits as TextEdit[]);
}

test('a block: definition from a call, references from the declaration, highlights', async () => {
  const text = sample('googlenet.cnn');
  const uri = await client.open(text);
  const definition = await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: positionAt(text, 'conv1: cbr', 8) });
  assert.deepEqual(lines(definition as Location[]), [`${positionAt(text, 'block cbr').line}:6`]);
  const references = await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri }, position: positionAt(text, 'block cbr', 7), context: { includeDeclaration: false } });
  // Three calls in the model, six in inception, one in auxhead.
  assert.equal(references!.length, 10);
  const highlights = await client.connection.sendRequest(DocumentHighlightRequest.type, { textDocument: { uri }, position: positionAt(text, 'block inception', 7) });
  assert.equal(highlights!.length, 10);
});

test('a model: train sections and `model B = A(…)` refer to it', async () => {
  const text = sample('googlenet.cnn');
  const uri = await client.open(text);
  const references = await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri }, position: positionAt(text, 'model GoogLeNet(', 6), context: { includeDeclaration: true } });
  const at = (needle: string, delta: number) => {
    const { line, character } = positionAt(text, needle, delta);
    return `${line}:${character}`;
  };
  assert.deepEqual(lines(references), [at('model GoogLeNet(', 6), at('= GoogLeNet(aux = 1)', 2), at('= GoogLeNet(aux = 1, classes', 2)]);
  const fromTrain = await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: positionAt(text, 'train GoogLeNetCifar', 8) });
  assert.deepEqual(lines(fromTrain as Location[]), [`${positionAt(text, 'model GoogLeNetCifar').line}:6`]);
});

test('rename a block, a model and a label', async () => {
  const text = 'block pair(f) {\n  conv f 3x3\n}\nmodel Net {\n  input 8x8x1\n  C1: pair(4)\n  pair(8)\n}\nmodel Wide = Net()\ntrain Net {\n  epochs 1\n}\n';
  assert.equal(await renamed(text, positionAt(text, 'pair(8)'), 'twice'), text.replaceAll('pair', 'twice'));
  assert.equal(await renamed(text, positionAt(text, 'train Net', 7), 'Narrow'), text.replace(/\bNet\b/g, 'Narrow'));
  assert.equal(await renamed(text, positionAt(text, 'C1:'), 'first'), text.replace('C1:', 'first:'));
});

test('rename refuses names that are not identifiers, keywords, or taken', async () => {
  const text = 'block pair(f) {\n  conv f 3x3\n}\nmodel Net {\n  input 8x8x1\n  C1: pair(4)\n  C2: pair(8)\n}\n';
  const uri = await client.open(text);
  const refuse = async (position: Position, newName: string, reason: RegExp) => {
    await assert.rejects(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position, newName }), reason);
  };
  await refuse(positionAt(text, 'pair(4)'), '2pair', /is not a name/);
  await refuse(positionAt(text, 'pair(4)'), 'Net', /already the name of a model/);
  await refuse(positionAt(text, 'pair(4)'), 'conv', /is a layer/);
  await refuse(positionAt(text, 'pair(4)'), 'repeat', /keyword/);
  await refuse(positionAt(text, 'C1:'), 'C2', /already called C2/);
  const prepared = await client.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position: positionAt(text, 'C1:', 1) });
  assert.deepEqual(prepared, { range: { start: { line: 5, character: 2 }, end: { line: 5, character: 4 } }, placeholder: 'C1' });
  assert.equal(await client.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position: positionAt(text, 'conv') }), null);
});
