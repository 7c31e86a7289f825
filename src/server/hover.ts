import { MarkupKind, type Hover, type Position } from 'vscode-languageserver/node';
import { hoverAt } from '../language/editor/hover-text';
import type { AnalyzedDocument } from './documents';

export function hover(document: AnalyzedDocument, position: Position): Hover | null {
  const found = hoverAt(document.analysis, document.offsetAt(position), document.sites);
  if (!found) return null;
  return { contents: { kind: MarkupKind.Markdown, value: found.markdown }, range: document.rangeOf(found.span) };
}
