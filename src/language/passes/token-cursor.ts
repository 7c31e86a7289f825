import type { Identifier } from '../ast';
import type { Token } from './lexer';
import type { Span } from '../text';

export interface SyntaxError {
  message: string;
  hint?: string;
  span: Span;
}

export const DECLARATION_KEYWORDS = new Set(['model', 'block', 'train']);

/** Thrown inside one statement to abandon it; caught where the parser resynchronises. */
export class Abandon extends Error {}

/**
 * The token stream under the parser: looking ahead, consuming, reporting, and skipping to a
 * statement or declaration boundary after an error (the recovery half of the parser).
 * Comments and bad characters are taken out of the stream here, and bad characters reported.
 */
export class TokenCursor {
  protected pos = 0;
  protected readonly errors: SyntaxError[] = [];
  protected readonly comments: Span[] = [];
  protected readonly tokens: Token[] = [];

  constructor(all: Token[]) {
    for (const token of all) {
      if (token.kind === 'comment') this.comments.push(token.span);
      else if (token.kind === 'error') this.errors.push({ message: token.text, span: token.span });
      else this.tokens.push(token);
    }
  }

  protected peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  protected next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.pos++;
    return token;
  }

  protected at(punct: string): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.text === punct;
  }

  protected atStatementEnd(): boolean {
    const token = this.peek();
    return token.kind === 'newline' || token.kind === 'eof' || (token.kind === 'punct' && (token.text === ';' || token.text === '}' || token.text === '{'));
  }

  protected previousEnd(fallback: number): number {
    return this.pos > 0 ? Math.max(fallback, this.tokens[this.pos - 1]!.span.end) : fallback;
  }

  protected identifier(): Identifier {
    const token = this.next();
    return { name: token.text, span: token.span };
  }

  protected expectIdentifier(what: string): Identifier {
    const token = this.peek();
    if (token.kind !== 'ident') this.fail(token, `expected ${what}, found ${describe(token)}`);
    return this.identifier();
  }

  protected expect(punct: string, what: string): Token {
    if (!this.at(punct)) this.fail(this.peek(), `expected ${what}, found ${describe(this.peek())}`);
    return this.next();
  }

  protected endOfStatement(): void {
    const token = this.peek();
    if (token.kind === 'newline' || (token.kind === 'punct' && token.text === ';')) this.next();
    else if (!(token.kind === 'eof' || (token.kind === 'punct' && token.text === '}'))) {
      this.fail(token, `expected the end of the line, found ${describe(token)}`, `put one statement on a line, or separate them with ';'`);
    }
  }

  protected error(span: Span, message: string, hint?: string): void {
    this.errors.push({ message, hint, span });
  }

  protected fail(token: Token, message: string, hint?: string): never {
    const span = token.kind === 'newline' || token.kind === 'eof' ? { start: token.span.start, end: token.span.start } : token.span;
    this.error(span, message, hint);
    throw new Abandon();
  }

  protected skipSeparators(): void {
    while (this.peek().kind === 'newline' || this.at(';')) this.next();
  }

  protected skipNewlines(): void {
    while (this.peek().kind === 'newline') this.next();
  }

  /** After an error: skip to the end of the statement, stepping over nested braces. */
  protected skipStatement(): void {
    let depth = 0;
    for (;;) {
      const token = this.peek();
      if (token.kind === 'eof') return;
      if (token.kind === 'punct' && token.text === '{') depth++;
      if (token.kind === 'punct' && token.text === '}') {
        if (depth === 0) return;
        depth--;
      }
      if (depth === 0 && (token.kind === 'newline' || (token.kind === 'punct' && token.text === ';'))) {
        this.next();
        return;
      }
      this.next();
    }
  }

  protected isDeclarationStart(): boolean {
    const previous = this.tokens[this.pos - 1];
    return (previous === undefined || previous.kind === 'newline') && this.peek(1).kind === 'ident';
  }

  protected skipToDeclaration(): void {
    for (;;) {
      const token = this.next();
      if (token.kind === 'eof') return;
      const following = this.peek();
      if (token.kind === 'newline' && following.kind === 'ident' && DECLARATION_KEYWORDS.has(following.text)) return;
    }
  }
}

export function describe(token: Token): string {
  switch (token.kind) {
    case 'eof': return 'the end of the file';
    case 'newline': return 'the end of the line';
    case 'string': return `"${token.text}"`;
    default: return `'${token.text}'`;
  }
}
