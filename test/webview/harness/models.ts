import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseModelReader } from '../../../src/engine/model/base-location';
import { analyze } from '../../../src/language/passes/analyze';
import { graphJson } from '../../../src/language/editor/query';
import type { GraphJson } from '../../../src/protocol/graph';
import { repoRoot } from './browser';

/**
 * The diagram's input for a sample's model (the first unless named), after an optional edit of
 * its text, as the language server computes it.
 */
export function sampleGraph(sample: string, options: { model?: string; edit?: (text: string) => string } = {}): GraphJson {
  const file = join(repoRoot, 'samples', sample);
  const text = readFileSync(file, 'utf8');
  const analysis = analyze(options.edit ? options.edit(text) : text, { readBaseModel: baseModelReader(file) });
  const model = options.model ? analysis.models.find((m) => m.name === options.model) : analysis.models[0];
  if (!model) throw new Error(`${sample} has no model ${options.model ?? ''}`);
  return graphJson(model, analysis);
}
