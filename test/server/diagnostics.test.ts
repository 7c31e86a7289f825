import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { CodeActionRequest, DiagnosticSeverity, DiagnosticTag, type CodeAction } from 'vscode-languageserver/node';
import { TestClient } from './harness';

const good = 'model M {\n  input 8x8x1\n  conv 4 3x3\n}\n';
const tooLarge = 'model M {\n  input 8x8x1\n  C1: conv 4 9x9\n}\n';
let client: TestClient | undefined;
afterEach(() => client?.dispose());

test('published at once on open, with code, severity, message and hint', async () => {
  client = await TestClient.start();
  const uri = await client.open(tooLarge);
  const published = await client.diagnosticsFor(uri);
  assert.equal(published.version, 1);
  assert.equal(published.diagnostics.length, 1);
  const [problem] = published.diagnostics;
  assert.equal(problem!.code, 'kernel-too-large');
  assert.equal(problem!.severity, DiagnosticSeverity.Error);
  assert.equal(problem!.source, 'convlab');
  assert.equal(problem!.message, 'C1: kernel 9×9 is larger than its 8×8 input\nuse a smaller kernel or pad the input (same, or pad N)');
  assert.deepEqual(problem!.range.start, { line: 2, character: 2 });
});

test('a burst of changes is published once, for the newest version', async () => {
  // A debounce far longer than three in-process notifications take, even on a loaded machine.
  client = await TestClient.start({ diagnosticsDelayMs: 1500 });
  const uri = await client.open(good);
  await client.diagnosticsFor(uri, (p) => p.version === 1, 10_000);
  await client.change(uri, tooLarge);
  await client.change(uri, tooLarge.replace('9x9', '7x7'));
  const last = await client.change(uri, tooLarge.replace('9x9', '3x3'));
  const published = await client.diagnosticsFor(uri, (p) => p.version === last, 10_000);
  assert.deepEqual(published.diagnostics, []);
  // Nothing was published for the versions typed over, and versions only go up.
  assert.deepEqual(client.diagnostics.filter((p) => p.uri === uri).map((p) => p.version), [1, last]);
});

test('a problem inside a block points at the calls that reach it', async () => {
  client = await TestClient.start();
  const uri = await client.open('block b(k) {\n  conv 4 k x k\n}\nmodel M {\n  input 8x8x1\n  b(9)\n}\n');
  const [problem] = (await client.diagnosticsFor(uri)).diagnostics;
  assert.equal(problem!.code, 'kernel-too-large');
  assert.deepEqual(problem!.relatedInformation?.map((r) => [r.message, r.location.uri, r.location.range.start.line]), [['in this call of b', uri, 5]]);
});

test('an unused block is a faded warning; closing a document clears its problems', async () => {
  client = await TestClient.start();
  const uri = await client.open(`block spare(f) {\n  conv f 1x1\n}\n${good}`);
  const [warning] = (await client.diagnosticsFor(uri)).diagnostics;
  assert.equal(warning!.severity, DiagnosticSeverity.Warning);
  assert.deepEqual(warning!.tags, [DiagnosticTag.Unnecessary]);
  await client.close(uri);
  const cleared = await client.diagnosticsFor(uri, (p) => p.version === undefined);
  assert.deepEqual(cleared.diagnostics, []);
});

test('a residual that adds a projection is information with a quick fix that writes the shortcut out', async () => {
  client = await TestClient.start();
  const text = 'model M {\n  input 8x8x1\n  residual { conv 16 3x3 stride 2 same nobias; batchnorm }\n}\n';
  const uri = await client.open(text);
  const [note] = (await client.diagnosticsFor(uri)).diagnostics;
  assert.equal(note!.code, 'residual-projection');
  assert.equal(note!.severity, DiagnosticSeverity.Information);
  assert.match(String(note!.message), /shortcut \{ \}/);
  const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: note!.range, context: { diagnostics: [note!] } });
  assert.equal(actions?.length, 1);
  const action = actions![0] as CodeAction;
  assert.equal(action.kind, 'quickfix');
  assert.deepEqual(action.edit?.changes?.[uri], [{ range: { start: { line: 2, character: 58 }, end: { line: 2, character: 58 } }, newText: ' shortcut { conv 16 1x1 stride 2 nobias; batchnorm }' }]);
  // Nothing to fix elsewhere.
  assert.deepEqual(await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } }, context: { diagnostics: [] } }), []);
});
