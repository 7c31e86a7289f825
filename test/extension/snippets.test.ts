import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';

const snippets = JSON.parse(readFileSync(join(__dirname, '..', '..', 'snippets', 'cnn.json'), 'utf8')) as Record<string, { prefix: string; body: string[] }>;

/** A snippet as inserted when the user accepts every default: `${1:x}` → x, `${2|a,b|}` → a. */
function expand(body: string[]): string {
  return body.join('\n').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1').replace(/\$\d+/g, '');
}

test('each snippet, taken with its defaults, is valid ConvLab', () => {
  const model = expand(snippets.Model!.body);
  const train = expand(snippets.Train!.body);
  const block = expand(snippets.Block!.body);
  const inception = expand(snippets['Inception block']!.body);
  const residual = expand(snippets['Residual block']!.body).split('\n').map((l) => `  ${l}`).join('\n');
  const file = [
    block, inception, model, train,
    'model Uses {', '  input 32x32x64', '  convbn(16)', '  inception(8, 8, 8, 8, 8, 8)', '  conv 64 1x1', residual, '}',
  ].join('\n');
  const analysis = analyze(file);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  assert.deepEqual(analysis.models.map((m) => m.name), ['Net', 'Uses']);
});

test('prefixes are the words a person types', () => {
  assert.deepEqual(Object.values(snippets).map((s) => s.prefix).sort(), ['block', 'inception', 'model', 'residual', 'train']);
});
