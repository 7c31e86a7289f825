import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { join } from 'node:path';
import { baseModelReader } from '../../src/engine/model/base-location';
import { analyze } from '../../src/language/passes/analyze';
import { mutatedSample, tokenSoup } from './fuzz';

// The transfer samples' base, read as the engine reads it: mutations cut, garble and repeat its line.
const samplesFile = join(__dirname, '..', '..', 'samples', 'fuzz.cnn');
const options = { readBaseModel: baseModelReader(samplesFile) };

/** The analyzer never throws, and every diagnostic and node lies inside the text. */
function checkInvariants(text: string): void {
  const analysis = analyze(text, options);
  for (const d of analysis.diagnostics) {
    assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length, `bad span ${JSON.stringify(d.span)} for ${d.code}`);
    const { start, end } = analysis.lines.range(d.span.start, d.span.end);
    assert.ok(start.line < analysis.lines.lineCount && end.line < analysis.lines.lineCount);
    assert.ok(start.line < end.line || (start.line === end.line && start.character <= end.character));
    assert.ok(d.message.length > 0 && !d.message.includes('undefined') && !d.message.includes('NaN'), d.message);
  }
  for (const graph of analysis.models) {
    for (const node of graph.nodes) {
      assert.ok(node.span.start >= 0 && node.span.end <= text.length);
      assert.ok(Number.isFinite(node.params.trainable) && Number.isFinite(node.macs));
    }
  }
}

test('fuzz: 4,000 random token sequences', () => {
  fc.assert(fc.property(tokenSoup, (text) => checkInvariants(text)), { numRuns: 4_000, seed: 20261126 });
});

test('fuzz: 6,000 mutated samples', () => {
  fc.assert(fc.property(mutatedSample, (text) => checkInvariants(text)), { numRuns: 6_000, seed: 20261126 });
});
