import type {
  Argument, BlockDecl, CallStatement, Declaration, Document, Expr, Identifier, ModelDecl, Parameter,
  Sequence, Setting, Statement, TrainDecl,
} from '../ast';
import { lex } from './lexer';
import type { Span } from '../text';
import { Abandon, DECLARATION_KEYWORDS, describe, TokenCursor, type SyntaxError } from './token-cursor';

export type { SyntaxError } from './token-cursor';

export interface ParseResult {
  document: Document;
  errors: SyntaxError[];
}

const BINARY_PRECEDENCE: Record<string, number> = {
  '==': 1, '!=': 1, '<': 2, '>': 2, '<=': 2, '>=': 2,
  '+': 3, '-': 3, '*': 4, '/': 4, '//': 4, '%': 4,
};
/** Guards the recursive descent against pathological nesting (fuzzed input). */
const MAX_DEPTH = 64;

/**
 * A recursive-descent parser that recovers at statement and declaration boundaries, so one bad
 * line never hides the others. Every node keeps the exact span of its text.
 */
export function parse(text: string): ParseResult {
  return new Parser(lex(text)).parseDocument();
}

class Parser extends TokenCursor {
  private depth = 0;

  parseDocument(): ParseResult {
    const declarations: Declaration[] = [];
    for (;;) {
      this.skipSeparators();
      const token = this.peek();
      if (token.kind === 'eof') break;
      try {
        if (token.kind === 'ident' && token.text === 'model') declarations.push(this.parseModel());
        else if (token.kind === 'ident' && token.text === 'block') declarations.push(this.parseBlock());
        else if (token.kind === 'ident' && token.text === 'train') declarations.push(this.parseTrain());
        else this.fail(token, `expected 'model', 'block' or 'train', found ${describe(token)}`, 'a file holds model, block and train declarations');
      } catch (error) {
        if (!(error instanceof Abandon)) throw error;
        this.skipToDeclaration();
      }
    }
    return { document: { declarations, comments: this.comments }, errors: this.errors };
  }

  // ---- declarations -------------------------------------------------------------------------

  private parseModel(): ModelDecl {
    const keyword = this.identifier();
    const name = this.expectIdentifier('a model name');
    const params = this.at('(') ? this.parseParameters().params : [];
    if (this.at('=')) {
      this.next();
      const calleeToken = this.peek();
      const call = this.parseStatementAfterName(undefined, this.expectIdentifier('the model to instantiate'), calleeToken.span.start);
      if (call.kind !== 'call') this.fail(calleeToken, 'expected a model call such as GoogLeNet(aux = 1)');
      return { kind: 'model', keyword, name, params, instanceOf: call as CallStatement, span: { start: keyword.span.start, end: call.span.end } };
    }
    const body = this.parseSequence();
    return { kind: 'model', keyword, name, params, body, span: { start: keyword.span.start, end: body.span.end } };
  }

  private parseBlock(): BlockDecl {
    const keyword = this.identifier();
    const name = this.expectIdentifier('a block name');
    const { params, span: paramsSpan } = this.at('(') ? this.parseParameters() : { params: [], span: { start: name.span.end, end: name.span.end } };
    const body = this.parseSequence();
    return { kind: 'block', keyword, name, params, paramsSpan, body, span: { start: keyword.span.start, end: body.span.end } };
  }

  private parseTrain(): TrainDecl {
    const keyword = this.identifier();
    const model = this.peek().kind === 'ident' ? this.identifier() : undefined;
    const open = this.expect('{', `'{' to open the train section`);
    const settings: Setting[] = [];
    for (;;) {
      this.skipSeparators();
      const token = this.peek();
      if (token.kind === 'eof') {
        this.error(token.span, `this train section is not closed: '}' expected`);
        return { kind: 'train', keyword, model, settings, bodySpan: { start: open.span.start, end: token.span.end }, span: { start: keyword.span.start, end: token.span.end } };
      }
      if (this.at('}')) break;
      try {
        const key = this.expectIdentifier('a setting such as epochs, batch or optimizer');
        const args = this.parseWords();
        settings.push({ key, args, span: { start: key.span.start, end: this.previousEnd(key.span.end) } });
        this.endOfStatement();
      } catch (error) {
        if (!(error instanceof Abandon)) throw error;
        this.skipStatement();
      }
    }
    const close = this.next();
    return { kind: 'train', keyword, model, settings, bodySpan: { start: open.span.start, end: close.span.end }, span: { start: keyword.span.start, end: close.span.end } };
  }

  private parseParameters(): { params: Parameter[]; span: Span } {
    const open = this.next();
    const params: Parameter[] = [];
    while (!this.at(')')) {
      const name = this.expectIdentifier('a parameter name');
      let defaultValue: Expr | undefined;
      if (this.at('=')) {
        this.next();
        defaultValue = this.parseExpression();
      }
      params.push({ name, default: defaultValue, span: { start: name.span.start, end: defaultValue?.span.end ?? name.span.end } });
      if (this.at(',')) this.next();
      else if (!this.at(')')) this.fail(this.peek(), `expected ',' or ')' in the parameter list, found ${describe(this.peek())}`);
    }
    const close = this.next();
    return { params, span: { start: open.span.start, end: close.span.end } };
  }

  // ---- statements ---------------------------------------------------------------------------

  private parseSequence(): Sequence {
    const open = this.expect('{', `'{'`);
    if (++this.depth > MAX_DEPTH) this.fail(open, `nesting deeper than ${MAX_DEPTH} levels`);
    const statements: Statement[] = [];
    try {
      for (;;) {
        this.skipSeparators();
        const token = this.peek();
        if (token.kind === 'eof') {
          this.error({ start: open.span.start, end: open.span.end }, `this '{' is never closed`, `add a matching '}'`);
          return { statements, span: { start: open.span.start, end: token.span.end } };
        }
        if (this.at('}')) break;
        if (token.kind === 'ident' && DECLARATION_KEYWORDS.has(token.text) && this.isDeclarationStart()) {
          this.error(open.span, `this '{' is never closed before '${token.text}'`, `add a matching '}'`);
          return { statements, span: { start: open.span.start, end: token.span.start } };
        }
        try {
          statements.push(this.parseStatement());
          this.endOfStatement();
        } catch (error) {
          if (!(error instanceof Abandon)) throw error;
          this.skipStatement();
        }
      }
      const close = this.next();
      return { statements, span: { start: open.span.start, end: close.span.end } };
    } finally {
      this.depth--;
    }
  }

  private parseStatement(): Statement {
    const first = this.peek();
    let label: Identifier | undefined;
    if (first.kind === 'ident' && this.peek(1).text === ':' && this.peek(1).kind === 'punct') {
      label = this.identifier();
      this.next();
    }
    const opToken = this.peek();
    if (opToken.kind !== 'ident') this.fail(opToken, `expected a layer or block, found ${describe(opToken)}`);
    const op = this.identifier();
    return this.parseStatementAfterName(label, op, label?.span.start ?? op.span.start);
  }

  private parseStatementAfterName(label: Identifier | undefined, op: Identifier, start: number): Statement {
    const next = this.peek();
    if (next.text === '(' && next.kind === 'punct' && next.span.start === op.span.end) {
      const { args, span: argsSpan } = this.parseArguments();
      return { kind: 'call', label, callee: op, args, argsSpan, span: { start, end: argsSpan.end } };
    }
    switch (op.name) {
      case 'concat':
      case 'add':
        if (this.at('{')) return this.parseMerge(label, op as Identifier & { name: 'concat' | 'add' }, start);
        break;
      case 'residual': {
        const body = this.parseSequence();
        let shortcut: Sequence | undefined;
        let shortcutKeyword: Identifier | undefined;
        const save = this.pos;
        this.skipNewlines();
        if (this.peek().kind === 'ident' && this.peek().text === 'shortcut') {
          shortcutKeyword = this.identifier();
          shortcut = this.parseSequence();
        } else this.pos = save;
        return { kind: 'residual', label, keyword: op, body, shortcut, shortcutKeyword, span: { start, end: (shortcut ?? body).span.end } };
      }
      case 'repeat': {
        const count = this.parseExpression();
        const body = this.parseSequence();
        return { kind: 'repeat', label, keyword: op, count, body, span: { start, end: body.span.end } };
      }
      case 'if': {
        const condition = this.parseExpression();
        const then = this.parseSequence();
        let otherwise: Sequence | undefined;
        const save = this.pos;
        this.skipNewlines();
        if (this.peek().kind === 'ident' && this.peek().text === 'else') {
          this.next();
          otherwise = this.parseSequence();
        } else this.pos = save;
        return { kind: 'if', label, keyword: op, condition, then, otherwise, span: { start, end: (otherwise ?? then).span.end } };
      }
      case 'aux': {
        let weight: Expr | undefined;
        if (this.peek().kind === 'ident' && this.peek().text === 'weight') {
          this.next();
          weight = this.parseExpression();
        }
        const body = this.parseSequence();
        return { kind: 'aux', label, keyword: op, weight, body, span: { start, end: body.span.end } };
      }
    }
    const args = this.parseWords();
    return { kind: 'layer', label, op, args, span: { start, end: this.previousEnd(op.span.end) } };
  }

  private parseMerge(label: Identifier | undefined, op: Identifier & { name: 'concat' | 'add' }, start: number): Statement {
    const open = this.next();
    const branches: Sequence[] = [];
    let malformed = false;
    for (;;) {
      this.skipSeparators();
      if (this.at('}')) break;
      if (this.peek().kind === 'eof') {
        this.error(open.span, `this '{' is never closed`, `add a matching '}'`);
        return { kind: 'merge', label, op, branches, span: { start, end: this.peek().span.start } };
      }
      if (!this.at('{')) {
        const token = this.peek();
        this.error(token.span, `each branch of ${op.name} is a '{ … }' group, found ${describe(token)}`, `write ${op.name} { { conv 64 1x1 } { conv 64 3x3 same } }`);
        // Skip to this merge's own '}' so that the enclosing body keeps its braces.
        this.skipStatement();
        malformed = true;
        continue;
      }
      branches.push(this.parseSequence());
    }
    const close = this.next();
    return { kind: 'merge', label, op, branches, malformed, span: { start, end: close.span.end } };
  }

  private parseArguments(): { args: Argument[]; span: Span } {
    const open = this.next();
    const args: Argument[] = [];
    while (!this.at(')')) {
      if (this.peek().kind === 'eof' || this.peek().kind === 'newline') this.fail(this.peek(), `')' expected to close the argument list`);
      let name: Identifier | undefined;
      if (this.peek().kind === 'ident' && this.peek(1).text === '=' && this.peek(1).kind === 'punct') {
        name = this.identifier();
        this.next();
      }
      const value = this.parseExpression();
      args.push({ name, value, span: { start: name?.span.start ?? value.span.start, end: value.span.end } });
      if (this.at(',')) this.next();
      else if (!this.at(')')) this.fail(this.peek(), `expected ',' or ')' in the argument list, found ${describe(this.peek())}`);
    }
    const close = this.next();
    return { args, span: { start: open.span.start, end: close.span.end } };
  }

  /** The words of a layer line or a setting, up to the end of the statement. */
  private parseWords(): Expr[] {
    const words: Expr[] = [];
    while (!this.atStatementEnd()) words.push(this.parseExpression());
    return words;
  }

  // ---- expressions --------------------------------------------------------------------------

  /** An expression, or several joined by `x` into a size: `size x size x 3`. */
  private parseExpression(): Expr {
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

  private parseBinary(minPrecedence = 1): Expr {
    if (++this.depth > MAX_DEPTH) this.fail(this.peek(), `expression nested deeper than ${MAX_DEPTH} levels`);
    try {
      let left = this.parseUnary();
      for (;;) {
        const token = this.peek();
        const precedence = token.kind === 'punct' ? BINARY_PRECEDENCE[token.text] : undefined;
        if (precedence === undefined || precedence < minPrecedence) return left;
        this.next();
        const right = this.parseBinary(precedence + 1);
        left = { kind: 'binary', op: token.text, left, right, span: { start: left.span.start, end: right.span.end } };
      }
    } finally {
      this.depth--;
    }
  }

  private parseUnary(): Expr {
    const token = this.peek();
    if (token.kind === 'punct' && (token.text === '-' || token.text === '+')) {
      this.next();
      const operand = this.parseUnary();
      return { kind: 'unary', op: token.text, operand, span: { start: token.span.start, end: operand.span.end } };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const token = this.peek();
    switch (token.kind) {
      case 'number':
        this.next();
        return { kind: 'number', value: token.value!, span: token.span };
      case 'dims':
        this.next();
        return { kind: 'dims', dims: token.dims!, span: token.span };
      case 'ident':
        this.next();
        return { kind: 'name', name: token.text, span: token.span };
      case 'string':
        this.next();
        return { kind: 'string', value: token.text, span: token.span };
      case 'punct':
        if (token.text === '(') {
          this.next();
          const inner = this.parseExpression();
          const close = this.expect(')', `')'`);
          return { ...inner, span: { start: token.span.start, end: close.span.end } };
        }
    }
    return this.fail(token, `expected a value, found ${describe(token)}`);
  }
}
