import type { Span } from '../text';

export type TokenKind =
  | 'ident'
  | 'number'
  | 'dims'
  | 'string'
  | 'punct'
  | 'newline'
  | 'comment'
  | 'error'
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  span: Span;
  /** For numbers: the value. For dims (`5x5`, `28x28x1`): each factor. */
  value?: number;
  dims?: number[];
}

const PUNCT_TWO = new Set(['<=', '>=', '==', '!=', '//']);
const PUNCT_ONE = new Set(['{', '}', '(', ')', ',', ':', ';', '=', '+', '-', '*', '/', '<', '>', '%', '.']);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

/**
 * Splits source into tokens. Never throws: a character it does not know becomes an `error`
 * token, so the parser can report it at its place and go on.
 * Comments (`#` to end of line) are kept as tokens for folding and formatting; the parser skips them.
 */
export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  const push = (kind: TokenKind, start: number, end: number, extra?: Partial<Token>) =>
    tokens.push({ kind, text: text.slice(start, end), span: { start, end }, ...extra });

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) {
      i++;
    } else if (c === 10) {
      push('newline', i, i + 1);
      i++;
    } else if (c === 35 /* # */) {
      const start = i;
      while (i < n && text.charCodeAt(i) !== 10) i++;
      push('comment', start, i);
    } else if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      i = lexNumberOrDims(text, i, push);
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      push('ident', start, i);
    } else if (c === 34 /* " */) {
      const start = i++;
      while (i < n && text.charCodeAt(i) !== 34 && text.charCodeAt(i) !== 10) i++;
      if (text.charCodeAt(i) === 34) {
        i++;
        push('string', start, i, { text: text.slice(start + 1, i - 1) });
      } else {
        push('error', start, i, { text: 'unterminated string' });
      }
    } else {
      const two = text.slice(i, i + 2);
      if (PUNCT_TWO.has(two)) {
        push('punct', i, i + 2);
        i += 2;
      } else if (PUNCT_ONE.has(text[i]!)) {
        push('punct', i, i + 1);
        i++;
      } else {
        const start = i;
        i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
        push('error', start, i, { text: `unexpected character '${text.slice(start, i)}'` });
      }
    }
  }
  push('eof', n, n);
  return tokens;
}

type Push = (kind: TokenKind, start: number, end: number, extra?: Partial<Token>) => void;

function scanNumber(text: string, i: number): number {
  const n = text.length;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (text[i] === '.' && isDigit(text.charCodeAt(i + 1))) {
    i++;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  if ((text[i] === 'e' || text[i] === 'E') && (isDigit(text.charCodeAt(i + 1)) || ((text[i + 1] === '-' || text[i + 1] === '+') && isDigit(text.charCodeAt(i + 2))))) {
    i += 2;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

/** `5`, `0.001`, `1e-4`, or dims `5x5`, `28x28x1` (each factor an integer). */
function lexNumberOrDims(text: string, start: number, push: Push): number {
  let i = scanNumber(text, start);
  const factors = [Number(text.slice(start, i))];
  while ((text[i] === 'x' || text[i] === '×') && isDigit(text.charCodeAt(i + 1))) {
    const factorStart = i + 1;
    i = scanNumber(text, factorStart);
    factors.push(Number(text.slice(factorStart, i)));
  }
  // `5abc` is one bad word, not a number followed by a name.
  if (i < text.length && isIdentPart(text.charCodeAt(i))) {
    while (i < text.length && isIdentPart(text.charCodeAt(i))) i++;
    push('error', start, i, { text: `'${text.slice(start, i)}' is not a number or a size such as 5x5` });
    return i;
  }
  if (factors.length > 1) push('dims', start, i, { dims: factors });
  else push('number', start, i, { value: factors[0]! });
  return i;
}
