import type { TextEdit } from 'vscode-languageserver/node';
import { formatChanges } from '../language/editor/format-source';
import type { AnalyzedDocument } from './documents';

/** The formatter's changes as edits: per line, so the cursor and folding survive formatting. */
export function formattingEdits(document: AnalyzedDocument): TextEdit[] {
  return formatChanges(document.analysis.text).map((change) => ({ range: document.rangeOf(change), newText: change.newText }));
}
