import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { join } from 'node:path';
import { baseModelReader } from '../../src/engine/model/base-location';
import type { NodeOf } from '../../src/language/layer-graph';
import { analyze } from '../../src/language/passes/analyze';
import { mutatedSample, newConstructs, tokenSoup } from './fuzz';

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

test('fuzz: 1,500 models made of and/or/not, in.c, split towers, signed words and labelled calls', () => {
  let valid = 0;
  fc.assert(fc.property(newConstructs, (text) => {
    checkInvariants(text);
    const analysis = analyze(text);
    if (analysis.diagnostics.every((d) => d.severity !== 'error')) {
      valid++;
      // A valid model's shapes are all known, and its towers cover the channels they split.
      const graph = analysis.models[0]!;
      assert.ok(graph.nodes.every((n) => n.outputShape !== null), text);
      for (const slice of graph.nodes.filter((n): n is NodeOf<'slice'> => n.op === 'slice')) {
        const input = graph.nodes[slice.inputs[0]!]!.outputShape!;
        assert.ok(slice.attrs.start + slice.attrs.size <= input.at(-1)!, text);
      }
    }
  }), { numRuns: 1_500, seed: 20261204 });
  assert.ok(valid > 100, `only ${valid} of the generated models were valid`);
});
