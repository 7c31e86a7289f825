import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type Analysis } from '../../src/language/passes/analyze';
import type { Diagnostic } from '../../src/language/diagnostic-sink';

export const repoRoot = join(__dirname, '..', '..');

export function sample(name: string): string {
  return readFileSync(join(repoRoot, 'samples', name), 'utf8');
}

/** 1-based line:col of a diagnostic, as the CLI prints it. */
export function where(analysis: Analysis, diagnostic: Diagnostic): string {
  const { line, character } = analysis.lines.position(diagnostic.span.start);
  return `${line + 1}:${character + 1}`;
}

/** The diagnostics of a text as `code@line:col` strings, in order. */
export function diagnosticsOf(text: string): string[] {
  const analysis = analyze(text);
  return analysis.diagnostics.map((d) => `${d.code}@${where(analysis, d)}`);
}

export function expectOnly(text: string, expected: string[]): Analysis {
  const analysis = analyze(text);
  assert.deepEqual(analysis.diagnostics.map((d) => `${d.code}@${where(analysis, d)}`), expected, analysis.diagnostics.map((d) => d.message).join('\n'));
  return analysis;
}

/** A model body wrapped in a model with the given input. */
export function model(body: string, input = '28x28x1'): string {
  return `model M {\n  input ${input}\n${body}\n}\n`;
}
