import type { Expr } from '../ast';
import type { Token } from './lexer';
import { describe, TokenCursor } from './token-cursor';

const BINARY_PRECEDENCE: Record<string, number> = {
  or: 1, and: 2,
  '==': 3, '!=': 3, '<': 4, '>': 4, '<=': 4, '>=': 4,
  '+': 5, '-': 5, '*': 6, '/': 6, '//': 6, '%': 6,
};
/** `not` binds looser than a comparison, as in Python: `not s == 1` is `not (s == 1)`. */
const NOT_OPERAND_PRECEDENCE = 3;
const WORD_OPERATORS = new Set(['and', 'or']);
/** Guards the recursive descent against pathological nesting (fuzzed input). */
export const MAX_DEPTH = 64;

/** The expression half of the parser: values, sizes, arithmetic, comparisons and `and`/`or`/`not`. */
export class ExpressionParser extends TokenCursor {
  protected depth = 0;
  /** Reading a layer line's words: `stride -2` is two words, not a subtraction. */
  protected inWords = false;

  /** The words of a layer line or a setting, up to the end of the statement. */
  protected parseWords(words: Expr[] = []): Expr[] {
    this.inWords = true;
    try {
      while (!this.atStatementEnd()) words.push(this.parseExpression());
    } finally {
      this.inWords = false;
    }
    return words;
  }

  /**
   * In a line's words, a sign with space before it and none after starts a new word, as on a
   * command line: `stride -2` is stride and -2, while `f - 2` and `f-2` still subtract.
   */
  private atSignedWord(token: Token): boolean {
    if (!this.inWords || (token.text !== '-' && token.text !== '+')) return false;
    const before = this.tokens[this.pos - 1];
    const after = this.peek(1);
    return before !== undefined && before.span.end < token.span.start && after.span.start === token.span.end && after.kind !== 'newline';
  }

  // ---- expressions --------------------------------------------------------------------------

  /** An expression, or several joined by `x` into a size: `size x size x 3`. */
  protected parseExpression(): Expr {
    const first = this.parseBinary();
    if (!this.atSizeOperator()) return first;
    const parts = [first];
    while (this.atSizeOperator()) {
      this.next();
      parts.push(this.parseBinary());
    }
    return { kind: 'size', parts, span: { start: first.span.start, end: parts[parts.length - 1]!.span.end } };
  }

  private atSizeOperator(): boolean {
    const token = this.peek();
    return token.kind === 'ident' && token.text === 'x';
  }

  protected parseBinary(minPrecedence = 1): Expr {
    if (++this.depth > MAX_DEPTH) this.fail(this.peek(), `expression nested deeper than ${MAX_DEPTH} levels`);
    try {
      let left = this.parseUnary();
      for (;;) {
        const token = this.peek();
        const precedence = token.kind === 'punct' || (token.kind === 'ident' && WORD_OPERATORS.has(token.text)) ? BINARY_PRECEDENCE[token.text] : undefined;
        if (precedence === undefined || precedence < minPrecedence || this.atSignedWord(token)) return left;
        this.next();
        const right = this.parseBinary(precedence + 1);
        left = { kind: 'binary', op: token.text, left, right, span: { start: left.span.start, end: right.span.end } };
      }
    } finally {
      this.depth--;
    }
  }

  protected parseUnary(): Expr {
    const token = this.peek();
    if (token.kind === 'ident' && token.text === 'not') {
      this.next();
      const operand = this.parseBinary(NOT_OPERAND_PRECEDENCE);
      return { kind: 'unary', op: 'not', operand, span: { start: token.span.start, end: operand.span.end } };
    }
    if (token.kind === 'punct' && (token.text === '-' || token.text === '+')) {
      this.next();
      const operand = this.parseUnary();
      return { kind: 'unary', op: token.text, operand, span: { start: token.span.start, end: operand.span.end } };
    }
    return this.parsePrimary();
  }

  protected parsePrimary(): Expr {
    const token = this.peek();
    switch (token.kind) {
      case 'number':
        this.next();
        return { kind: 'number', value: token.value!, span: token.span };
      case 'dims':
        this.next();
        return { kind: 'dims', dims: token.dims!, span: token.span };
      case 'ident': {
        this.next();
        const dot = this.peek();
        const property = this.peek(1);
        if (dot.kind === 'punct' && dot.text === '.' && dot.span.start === token.span.end && property.kind === 'ident' && property.span.start === dot.span.end) {
          this.next();
          this.next();
          return { kind: 'member', object: { name: token.text, span: token.span }, property: { name: property.text, span: property.span }, span: { start: token.span.start, end: property.span.end } };
        }
        return { kind: 'name', name: token.text, span: token.span };
      }
      case 'string':
        this.next();
        return { kind: 'string', value: token.text, span: token.span };
      case 'punct':
        if (token.text === '(') {
          this.next();
          // Inside parentheses a sign is arithmetic again: `(f -2)` subtracts.
          const words = this.inWords;
          this.inWords = false;
          try {
            const inner = this.parseExpression();
            const close = this.expect(')', `')'`);
            return { ...inner, span: { start: token.span.start, end: close.span.end } };
          } finally {
            this.inWords = words;
          }
        }
    }
    return this.fail(token, `expected a value, found ${describe(token)}`);
  }
}
