import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver/node';
import { lex } from '../language/passes/lexer';
import type { AnalyzedDocument } from './documents';

/**
 * Every `{ … }` that spans lines (models, blocks, train sections, branches, residual bodies) folds
 * up to the line before its `}` so the brace stays in sight; runs of two or more comment-only
 * lines fold as comments.
 */
export function foldingRanges(document: AnalyzedDocument): FoldingRange[] {
  const text = document.analysis.text;
  const lineOf = (offset: number) => document.document.positionAt(offset).line;
  const byStartLine = new Map<number, FoldingRange>();
  const keep = (range: FoldingRange) => {
    const existing = byStartLine.get(range.startLine);
    if (range.endLine > range.startLine && (!existing || existing.endLine < range.endLine)) byStartLine.set(range.startLine, range);
  };
  const opens: number[] = [];
  let commentRun: { first: number; last: number } | undefined;
  const endCommentRun = () => {
    if (commentRun) keep({ startLine: commentRun.first, endLine: commentRun.last, kind: FoldingRangeKind.Comment });
    commentRun = undefined;
  };
  let lastCodeLine = -1;
  for (const token of lex(text)) {
    if (token.kind === 'newline' || token.kind === 'eof') continue;
    const line = lineOf(token.span.start);
    if (token.kind === 'comment') {
      // A comment after code on its line is not part of a run of comment lines.
      if (line === lastCodeLine) continue;
      if (commentRun && commentRun.last === line - 1) commentRun.last = line;
      else {
        endCommentRun();
        commentRun = { first: line, last: line };
      }
      continue;
    }
    lastCodeLine = line;
    if (commentRun && commentRun.last < line) endCommentRun();
    if (token.kind !== 'punct') continue;
    if (token.text === '{') opens.push(line);
    else if (token.text === '}') {
      const start = opens.pop();
      if (start !== undefined) keep({ startLine: start, endLine: line - 1 });
    }
  }
  endCommentRun();
  return [...byStartLine.values()].sort((a, b) => a.startLine - b.startLine);
}
