import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withReference } from '../../scripts/docs';
import { LAYERS } from '../../src/language/passes/layer-catalogue';
import { SETTINGS } from '../../src/language/passes/train-spec';

const path = join(__dirname, '..', '..', 'docs', 'language.md');

test('docs/language.md lists every layer and setting, and its reference is current (npm run docs)', () => {
  const markdown = readFileSync(path, 'utf8');
  assert.equal(markdown, withReference(markdown), 'run npm run docs');
  for (const spec of [...LAYERS, ...SETTINGS]) assert.ok(markdown.includes(`### \`${spec.op}\``), spec.op);
});
