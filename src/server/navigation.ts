import {
  DocumentHighlightKind, ErrorCodes, ResponseError, TextEdit,
  type DocumentHighlight, type Location, type Position, type Range, type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { occurrences, renameProblem, symbolAt } from '../language/editor/symbols';
import type { AnalyzedDocument } from './documents';

/** Where a block, model or layer label under the cursor is declared. */
export function definition(document: AnalyzedDocument, position: Position): Location[] {
  const symbol = symbolAt(document.analysis, document.offsetAt(position));
  if (!symbol) return [];
  return occurrences(document.analysis, symbol).filter((o) => o.isDeclaration).map((o) => ({ uri: document.uri, range: document.rangeOf(o.span) }));
}

export function references(document: AnalyzedDocument, position: Position, includeDeclaration: boolean): Location[] {
  const symbol = symbolAt(document.analysis, document.offsetAt(position));
  if (!symbol) return [];
  return occurrences(document.analysis, symbol)
    .filter((o) => includeDeclaration || !o.isDeclaration)
    .map((o) => ({ uri: document.uri, range: document.rangeOf(o.span) }));
}

export function documentHighlights(document: AnalyzedDocument, position: Position): DocumentHighlight[] {
  const symbol = symbolAt(document.analysis, document.offsetAt(position));
  if (!symbol) return [];
  return occurrences(document.analysis, symbol).map((o) => ({ range: document.rangeOf(o.span), kind: o.isDeclaration ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
}

/** Only names that are declared in this file can be renamed: renaming an unknown name would fix nothing. */
export function prepareRename(document: AnalyzedDocument, position: Position): { range: Range; placeholder: string } | null {
  const symbol = symbolAt(document.analysis, document.offsetAt(position));
  if (!symbol || !occurrences(document.analysis, symbol).some((o) => o.isDeclaration)) return null;
  return { range: document.rangeOf(symbol.span), placeholder: symbol.name };
}

/** Renames the declaration and every use, or refuses with the reason (a bad or taken name). */
export function rename(document: AnalyzedDocument, position: Position, newName: string, versioned: boolean): WorkspaceEdit | null {
  const symbol = symbolAt(document.analysis, document.offsetAt(position));
  if (!symbol) return null;
  const problem = renameProblem(document.analysis, symbol, newName);
  if (problem) throw new ResponseError(ErrorCodes.InvalidParams, problem);
  const edits = occurrences(document.analysis, symbol).map((o) => TextEdit.replace(document.rangeOf(o.span), newName));
  if (versioned) return { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits }] };
  return { changes: { [document.uri]: edits } };
}
