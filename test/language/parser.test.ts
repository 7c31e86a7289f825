import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lex } from '../../src/language/passes/lexer';
import { parse } from '../../src/language/passes/parser';
import { LineIndex } from '../../src/language/text';
import { expectOnly, model } from './helpers';

test('lexer: sizes, numbers, comments and bad characters', () => {
  const tokens = lex('conv 6 5x5 0.001 1e-4 28×28x3 # note\n@');
  assert.deepEqual(tokens.map((t) => t.kind), ['ident', 'number', 'dims', 'number', 'number', 'dims', 'comment', 'newline', 'error', 'eof']);
  assert.deepEqual(tokens[2]!.dims, [5, 5]);
  assert.equal(tokens[4]!.value, 1e-4);
  assert.deepEqual(tokens[5]!.dims, [28, 28, 3]);
  assert.equal(lex('5abc')[0]!.kind, 'error');
});

test('every node keeps the exact span of its text', () => {
  const text = 'model M {\n  input 28x28x1\n  C1: conv 6 5x5 pad 2 tanh\n}\n';
  const { document, errors } = parse(text);
  assert.deepEqual(errors, []);
  const decl = document.declarations[0]!;
  assert.equal(decl.kind, 'model');
  if (decl.kind !== 'model') return;
  const conv = decl.body!.statements[1]!;
  assert.equal(text.slice(conv.span.start, conv.span.end), 'C1: conv 6 5x5 pad 2 tanh');
  assert.equal(conv.kind === 'layer' && text.slice(conv.args[1]!.span.start, conv.args[1]!.span.end), '5x5');
  assert.equal(text.slice(decl.span.start, decl.span.end), text.trimEnd());
});

test('one bad line never hides the next ones', () => {
  expectOnly(model('  conv 6 5x5 )\n  conv 3 0x1\n  relu'), ['syntax@3:14', 'bad-value@4:10']);
  expectOnly(model('  conv 6 5x5 ; ; relu ; ,\n  dense'), ['syntax@3:25', 'missing-argument@4:3']);
});

test('unclosed braces and stray text are reported and the file still analysed', () => {
  expectOnly('model A {\n  input 8x8x1\n  relu\nmodel B {\n  input 4x4x1\n}\n', ['syntax@1:9']);
  expectOnly('hello world\nmodel B {\n  input 4x4x1\n}\n', ['syntax@1:1']);
  expectOnly('model B {\n  input 4x4x1\n  concat { conv 8 1x1 }\n}\n', ['syntax@3:12']);
  // The call survives its broken argument list, so the missing block is found too.
  expectOnly('model B {\n  input 4x4x1\n  b(1, \n}\n', ['unknown-block@3:3', 'syntax@3:8']);
});

test('comments and semicolons', () => {
  expectOnly('# a model\nmodel B { # here\n  input 4x4x1; relu # relu\n  conv 2 1x1; relu\n}\n', []);
});

test('line index maps offsets and positions both ways', () => {
  const lines = new LineIndex('ab\ncd\n\nef');
  assert.deepEqual(lines.position(4), { line: 1, character: 1 });
  assert.equal(lines.offset({ line: 3, character: 1 }), 8);
  assert.equal(lines.offset({ line: 0, character: 99 }), 2);
  assert.equal(lines.lineText(1), 'cd');
  assert.equal(lines.lineCount, 4);
});
