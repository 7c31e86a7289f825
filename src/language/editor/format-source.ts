import { lex, type Token } from '../passes/lexer';

/** An edit in offsets of the original text. */
export interface TextChange {
  start: number;
  end: number;
  newText: string;
}

const INDENT = '  ';

/**
 * The canonical layout of a model file: two spaces per brace depth, one space between words, a
 * space after `,` and after a `label:`, none inside parentheses, `{ … }` spaced, trailing
 * whitespace removed, at most one blank line in a row, one final newline.
 *
 * It only ever changes whitespace between tokens on a line and drops blank lines, never joins or
 * splits lines, so the tokens and the statement structure stay exactly as written. Two choices
 * keep meaning and intent: a name stays glued to its `(` only when it was (that is what makes
 * `name(…)` a call), and a trailing comment keeps its place relative to the start of its line's
 * code (so it moves with the indentation) while the code still fits before it, so comments
 * aligned by hand stay aligned.
 */
export function formatChanges(text: string): TextChange[] {
  const lines = splitLines(text);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const formatted = formatEachLine(text, lines);
  let lastContent = formatted.length - 1;
  while (lastContent >= 0 && formatted[lastContent] === '') lastContent--;
  if (lastContent < 0) return text === '' ? [] : [{ start: 0, end: text.length, newText: '' }];

  const changes: TextChange[] = [];
  let seenContent = false;
  for (let i = 0; i < lastContent; i++) {
    const line = lines[i]!;
    const blank = formatted[i] === '';
    // Leading blank lines, and every blank line after another, go with their line break.
    if (blank && (!seenContent || formatted[i - 1] === '')) {
      changes.push({ start: line.start, end: lines[i + 1]!.start, newText: '' });
      continue;
    }
    seenContent ||= !blank;
    if (formatted[i] !== text.slice(line.start, line.contentEnd)) changes.push({ start: line.start, end: line.contentEnd, newText: formatted[i]! });
  }
  // The last line with content takes the final newline and everything after it.
  const last = lines[lastContent]!;
  const tail = formatted[lastContent]! + eol;
  if (text.slice(last.start) !== tail) changes.push({ start: last.start, end: text.length, newText: tail });
  return changes;
}

/** The formatted text: `formatChanges` applied. */
export function format(text: string): string {
  let result = '';
  let at = 0;
  for (const change of formatChanges(text)) {
    result += text.slice(at, change.start) + change.newText;
    at = change.end;
  }
  return result + text.slice(at);
}

interface SourceLine {
  start: number;
  /** Where the line's text ends: before its `\r\n` or `\n`. */
  contentEnd: number;
}

function splitLines(text: string): SourceLine[] {
  const lines: SourceLine[] = [];
  let start = 0;
  for (;;) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    lines.push({ start, contentEnd: end > start && text[end - 1] === '\r' ? end - 1 : end });
    if (newline < 0) return lines;
    start = newline + 1;
  }
}

/** Each source line laid out on its own; '' for a line without tokens. */
function formatEachLine(text: string, lines: SourceLine[]): string[] {
  const tokensByLine: Token[][] = lines.map(() => []);
  let line = 0;
  for (const token of lex(text)) {
    if (token.kind === 'newline') line++;
    else if (token.kind !== 'eof') tokensByLine[line]!.push(token);
  }
  let depth = 0;
  return lines.map((source, i) => {
    const tokens = tokensByLine[i]!;
    if (tokens.length === 0) return '';
    let leadingCloses = 0;
    while (isPunct(tokens[leadingCloses], '}')) leadingCloses++;
    const indent = INDENT.repeat(Math.max(0, depth - leadingCloses));
    for (const token of tokens) {
      if (isPunct(token, '{')) depth++;
      else if (isPunct(token, '}')) depth = Math.max(0, depth - 1);
    }
    return indent + layOutTokens(text, source, tokens, indent.length);
  });
}

function layOutTokens(text: string, source: SourceLine, tokens: Token[], indentWidth: number): string {
  let out = '';
  let previous: Token | undefined;
  for (const token of tokens) {
    const tokenText = text.slice(token.span.start, Math.min(token.span.end, source.contentEnd));
    if (previous === undefined) {
      out = token.kind === 'comment' ? tokenText.trimEnd() : tokenText;
    } else if (token.kind === 'comment') {
      // The column it had, moved as far as the line's indentation moved.
      const column = token.span.start - tokens[0]!.span.start + indentWidth;
      const width = indentWidth + out.length;
      out += ' '.repeat(column > width ? column - width : 1) + tokenText.trimEnd();
    } else {
      out += spaceBetween(previous, token, token.span.start > previous.span.end) + tokenText;
    }
    previous = token;
  }
  return out;
}

/** The whitespace between two tokens on a line; `spaced` says whether the source had any. */
function spaceBetween(left: Token, right: Token, spaced: boolean): string {
  if (isAnyPunct(right, ',', ';', ')', ':')) return '';
  if (isPunct(left, '(')) return '';
  if (isAnyPunct(left, ',', ';', ':')) return ' ';
  if (isAnyPunct(left, '{', '}') || isAnyPunct(right, '{', '}')) return ' ';
  // `name(` is a call and `name (` a name then a parenthesised value: keep whichever was written.
  if (left.kind === 'ident' && isPunct(right, '(')) return spaced ? ' ' : '';
  if (isPunct(left, '=') || isPunct(right, '=')) return ' ';
  return spaced ? ' ' : '';
}

function isPunct(token: Token | undefined, text: string): boolean {
  return token?.kind === 'punct' && token.text === text;
}

function isAnyPunct(token: Token, ...texts: string[]): boolean {
  return token.kind === 'punct' && texts.includes(token.text);
}
