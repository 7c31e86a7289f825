import type {
  Argument, BlockDecl, CallStatement, Declaration, Document, Expr, Identifier, MergeOp, ModelDecl, Parameter,
  Sequence, Setting, Statement, TrainDecl,
} from '../ast';
import { lex } from './lexer';
import type { Span } from '../text';
import { Abandon, DECLARATION_KEYWORDS, describe, type SyntaxError } from './token-cursor';
import { ExpressionParser, MAX_DEPTH } from './expression-parser';

export type { SyntaxError } from './token-cursor';

export interface ParseResult {
  document: Document;
  errors: SyntaxError[];
}


/**
 * A recursive-descent parser that recovers at statement and declaration boundaries, so one bad
 * line never hides the others. Every node keeps the exact span of its text.
 */
export function parse(text: string): ParseResult {
  return new Parser(lex(text)).parseDocument();
}

class Parser extends ExpressionParser {
  /** The innermost '{' whose '}' sits left of its opening line: the likely unclosed one. */
  private misclosed?: Span;

  parseDocument(): ParseResult {
    const declarations: Declaration[] = [];
    for (;;) {
      this.skipSeparators();
      const token = this.peek();
      if (token.kind === 'eof') break;
      try {
        this.misclosed = undefined;
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
    const openIndex = this.pos - 1;
    if (++this.depth > MAX_DEPTH) this.fail(open, `nesting deeper than ${MAX_DEPTH} levels`);
    const statements: Statement[] = [];
    try {
      for (;;) {
        this.skipSeparators();
        const token = this.peek();
        if (token.kind === 'eof') {
          this.unclosed(open.span, `this '{' is never closed`);
          return { statements, span: { start: open.span.start, end: token.span.end } };
        }
        if (this.at('}')) break;
        if (token.kind === 'ident' && DECLARATION_KEYWORDS.has(token.text) && this.isDeclarationStart()) {
          this.unclosed(open.span, `this '{' is never closed before '${token.text}'`);
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
      if (this.misclosed === undefined && this.indentation(this.pos - 1).column < this.indentation(openIndex).lineIndent) this.misclosed = open.span;
      return { statements, span: { start: open.span.start, end: close.span.end } };
    } finally {
      this.depth--;
    }
  }

  /**
   * An unclosed '{' is reported where the indentation says it is: when a '}' further in was
   * written left of the line that opened its brace, that brace most likely lacks its own '}'
   * and took the outer one's (a residual's '{' left open inside a model).
   */
  private unclosed(open: Span, message: string): void {
    const inner = this.misclosed;
    if (inner !== undefined && inner.start > open.start) {
      this.misclosed = undefined;
      this.error(inner, message, `add a matching '}': the '}' that closes it now is indented as an outer body's`);
    } else this.error(open, message, `add a matching '}'`);
  }

  /** The column of a token, and the indentation of its line. */
  private indentation(index: number): { column: number; lineIndent: number } {
    let first = index;
    while (first > 0 && this.tokens[first - 1]!.kind !== 'newline') first--;
    const lineStart = first > 0 ? this.tokens[first - 1]!.span.end : 0;
    return { column: this.tokens[index]!.span.start - lineStart, lineIndent: this.tokens[first]!.span.start - lineStart };
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
      return { kind: 'call', label, callee: op, args, argsSpan, span: { start, end: Math.max(argsSpan.end, this.previousEnd(argsSpan.end)) } };
    }
    switch (op.name) {
      case 'concat':
      case 'add':
      case 'split':
        if (this.at('{')) return this.parseMerge(label, op as Identifier & { name: MergeOp }, start);
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
    const args: Expr[] = [];
    try {
      this.parseWords(args);
    } catch (error) {
      // The layer keeps the words read before the error, so that the line (and every call of
      // its block) still has its place in the model and the rest is checked.
      if (!(error instanceof Abandon)) throw error;
      this.skipRestOfStatement();
    }
    return { kind: 'layer', label, op, args, span: { start, end: this.previousEnd(op.span.end) } };
  }

  /** After an error: skip to the statement's end, leaving the separator for endOfStatement. */
  private skipRestOfStatement(): void {
    let depth = 0;
    for (;;) {
      const token = this.peek();
      if (token.kind === 'eof') return;
      if (depth === 0 && (token.kind === 'newline' || (token.kind === 'punct' && (token.text === ';' || token.text === '}')))) return;
      if (token.kind === 'punct' && token.text === '{') depth++;
      if (token.kind === 'punct' && token.text === '}') depth--;
      this.next();
    }
  }

  private parseMerge(label: Identifier | undefined, op: Identifier & { name: MergeOp }, start: number): Statement {
    const open = this.next();
    const openIndex = this.pos - 1;
    const branches: Sequence[] = [];
    let malformed = false;
    for (;;) {
      const beforeSeparators = this.pos;
      this.skipSeparators();
      if (this.at('}')) break;
      if (this.peek().kind === 'eof') {
        this.unclosed(open.span, `this '{' is never closed`);
        return { kind: 'merge', label, op, branches, span: { start, end: this.peek().span.start } };
      }
      if (!this.at('{') && branches.length > 0 && this.pos > beforeSeparators && this.peek().kind === 'ident') {
        // A layer on a line of its own after the branches: the merge's '}' is missing, and the
        // line belongs to the enclosing body.
        this.error(open.span, `this '{' of ${op.name} is never closed`, `add a '}' after its last branch`);
        this.pos = beforeSeparators;
        return { kind: 'merge', label, op, branches, span: { start, end: branches.at(-1)!.span.end } };
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
    if (this.misclosed === undefined && this.indentation(this.pos - 1).column < this.indentation(openIndex).lineIndent) this.misclosed = open.span;
    return { kind: 'merge', label, op, branches, malformed, span: { start, end: close.span.end } };
  }

  /** A call's arguments; after an error, those read before it, so that the call survives. */
  private parseArguments(): { args: Argument[]; span: Span } {
    const open = this.next();
    const args: Argument[] = [];
    try {
      return this.parseArgumentList(open.span, args);
    } catch (error) {
      if (!(error instanceof Abandon)) throw error;
      this.skipRestOfStatement();
      return { args, span: { start: open.span.start, end: this.previousEnd(open.span.end) } };
    }
  }

  private parseArgumentList(open: Span, args: Argument[]): { args: Argument[]; span: Span } {
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
    return { args, span: { start: open.start, end: close.span.end } };
  }
}
