import { CodeActionKind, type CodeAction, type Range } from 'vscode-languageserver/node';
import { toLspDiagnostic } from './diagnostics';
import type { AnalyzedDocument } from './documents';

/**
 * Quick fixes: each diagnostic that carries an edit (a residual's projection written out)
 * offers it where the editor asks for actions, on the diagnostic's range.
 */
export function codeActions(document: AnalyzedDocument, range: Range): CodeAction[] {
  const start = document.offsetAt(range.start);
  const end = document.offsetAt(range.end);
  return document.analysis.diagnostics
    .filter((d) => d.fix !== undefined && d.span.start <= end && start <= d.span.end)
    .map((d) => ({
      title: d.fix!.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [toLspDiagnostic(document, d)],
      edit: { changes: { [document.uri]: [{ range: document.rangeOf(d.fix!.span), newText: d.fix!.newText }] } },
    }));
}
