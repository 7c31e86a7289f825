import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentFormattingRequest } from 'vscode-languageserver/node';
import { format } from '../../src/language/editor/format-source';
import { repoRoot, sample, TestClient, tokenSequence } from './harness';

/** Each sample scrambled: indentation, spacing and blank lines as a careless hand might leave them. */
function scramble(text: string): string {
  return text.split('\n').map((line, i) => {
    const indent = [' ', '\t', '      ', ''][i % 4]!;
    return `${indent}${line.trim().replace(/, /g, ',').replace(/ = /g, '=').replace(/: /g, ' :').replace(/ /g, i % 3 === 0 ? '   ' : ' ')}${i % 5 === 0 ? '   \n\n' : ''}`;
  }).join('\n');
}

const samples = readdirSync(join(repoRoot, 'samples')).filter((f) => f.endsWith('.cnn'));

for (const file of samples) {
  test(`format is idempotent and keeps every token: ${file}`, () => {
    const original = sample(file);
    assert.equal(format(original), original, 'the samples are already formatted');
    const scrambled = scramble(original);
    const once = format(scrambled);
    assert.equal(format(once), once);
    assert.deepEqual(tokenSequence(once), tokenSequence(scrambled));
  });
}

test('format: indentation by depth, spacing, labels, argument lists, blank lines, final newline', () => {
  const messy = '\n\nblock  b( f,s=1 ){\n\tresidual{ conv f 3x3   stride s;relu }shortcut {}\n}\n\n\n\nmodel M{\n input 8x8x1\n C1 :b(4 , s = 2)   \n       # note  \nconcat {\n{relu}\n  { b (2) }\n}\n}';
  assert.equal(format(messy), [
    'block b(f, s = 1) {',
    '  residual { conv f 3x3 stride s; relu } shortcut { }',
    '}',
    '',
    'model M {',
    '  input 8x8x1',
    '  C1: b(4, s = 2)',
    '  # note',
    '  concat {',
    '    { relu }',
    '    { b (2) }',
    '  }',
    '}',
    '',
  ].join('\n'));
});

test('format: trailing comments move with the indentation and keep their alignment while the code fits', () => {
  const aligned = 'model M {\n      input 8x8x1        # the input\n  flatten            # to a vector\n  C1:dense 10 softmax # no room\n}\n';
  assert.equal(format(aligned), 'model M {\n  input 8x8x1        # the input\n  flatten            # to a vector\n  C1: dense 10 softmax # no room\n}\n');
});

test('format: CRLF line ends stay CRLF; an empty file stays empty', () => {
  assert.equal(format('model M {\r\n input 8x8x1\r\n}'), 'model M {\r\n  input 8x8x1\r\n}\r\n');
  assert.equal(format(''), '');
  assert.equal(format('\n  \n'), '');
});

test('document formatting over LSP: per-line edits that give the formatted text', async () => {
  const client = await TestClient.start();
  try {
    const text = 'model M {\ninput 8x8x1\n\n\n  conv 4 3x3   relu\n}';
    const uri = await client.open(text);
    const edits = await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    assert.equal(edits!.length, 4);
    assert.equal(TextDocument.applyEdits(TextDocument.create(uri, 'cnn', 1, text), edits!), format(text));
    const clean = await client.open(format(text));
    assert.deepEqual(await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: clean }, options: { tabSize: 2, insertSpaces: true } }), []);
  } finally {
    client.dispose();
  }
});
