import type { Analysis } from '../language/passes/analyze';

/** `FILE:LINE:COL: error: message` (1-based, as compilers print them), then the hint. */
export function formatDiagnostics(analysis: Analysis, file: string): string[] {
  return analysis.diagnostics.map((d) => {
    const { line, character } = analysis.lines.position(d.span.start);
    const head = `${file}:${line + 1}:${character + 1}: ${d.severity}: ${d.message} [${d.code}]`;
    return d.hint ? `${head}\n  hint: ${d.hint}` : head;
  });
}
