import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../../src/language/passes/analyze';
import { format } from '../../src/language/editor/format-source';
import { codeLenses } from '../../src/server/code-lenses';
import { completions } from '../../src/server/completion';
import { toLspDiagnostics } from '../../src/server/diagnostics';
import { documentSymbols } from '../../src/server/document-symbols';
import { AnalyzedDocument } from '../../src/server/documents';
import { foldingRanges } from '../../src/server/folding';
import { hover } from '../../src/server/hover';
import { inlayHints } from '../../src/server/inlay-hints';
import { definition, prepareRename, references } from '../../src/server/navigation';
import { modelAt, modelGraph, summary } from '../../src/server/requests';
import { signatureHelp } from '../../src/server/signature-help';
import { mutatedSample, tokenSoup } from '../language/fuzz';
import { tokenSequence } from './harness';

const input = fc.oneof(tokenSoup, mutatedSample);

test('fuzz: formatting is idempotent and keeps the tokens, on 1,000 broken files', () => {
  fc.assert(fc.property(input, (text) => {
    const once = format(text);
    assert.equal(format(once), once);
    assert.deepEqual(tokenSequence(once), tokenSequence(text));
  }), { numRuns: 1_000, seed: 20261126 });
});

test('fuzz: every feature answers without throwing, on 400 broken files at random places', () => {
  fc.assert(fc.property(input, fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), (text, places) => {
    const textDocument = TextDocument.create('file:///fuzz.cnn', 'cnn', 1, text);
    const document = new AnalyzedDocument(textDocument.uri, 1, textDocument, analyze(text));
    toLspDiagnostics(document);
    documentSymbols(document);
    foldingRanges(document);
    codeLenses(document);
    inlayHints(document, { start: { line: 0, character: 0 }, end: textDocument.positionAt(text.length) });
    modelGraph(document);
    summary(document);
    for (const place of places) {
      const position = textDocument.positionAt(place % (text.length + 1));
      hover(document, position);
      completions(document, position, true);
      signatureHelp(document, position);
      definition(document, position);
      references(document, position, true);
      prepareRename(document, position);
      modelAt(document, position);
    }
  }), { numRuns: 400, seed: 20261126 });
});
