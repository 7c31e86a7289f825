import type { Analysis } from '../passes/analyze';
import type { BlockDecl, Declaration, Identifier, ModelDecl, Parameter, Sequence, Statement } from '../ast';
import { LAYER_BY_OP, STRUCTURE_KEYWORDS } from '../passes/layer-catalogue';
import type { Span } from '../text';

/**
 * The names a reader can follow: blocks (declared, then called as `name(…)`), models (declared,
 * then named by `train M` and `model B = A(…)`) and layer labels (`C1:`, local to their
 * declaration). Definition, references, highlights and rename all go through here.
 */
export type SymbolRef =
  | { kind: 'block'; name: string; span: Span }
  | { kind: 'model'; name: string; span: Span }
  | { kind: 'label'; name: string; span: Span; container: Declaration };

export interface Occurrence {
  span: Span;
  isDeclaration: boolean;
}

/** The name under an offset, where it is one of the names above. */
export function symbolAt(analysis: Analysis, offset: number): SymbolRef | undefined {
  const on = (id: Identifier | undefined) => id !== undefined && id.span.start <= offset && offset <= id.span.end;
  for (const decl of analysis.document.declarations) {
    if (offset < decl.span.start || offset > decl.span.end) continue;
    if (decl.kind === 'train') {
      if (on(decl.model)) return { kind: 'model', name: decl.model!.name, span: decl.model!.span };
      continue;
    }
    if (on(decl.name)) return { kind: decl.kind, name: decl.name.name, span: decl.name.span };
    if (decl.kind === 'model' && on(decl.instanceOf?.callee)) return { kind: 'model', name: decl.instanceOf!.callee.name, span: decl.instanceOf!.callee.span };
    let found: SymbolRef | undefined;
    walkStatements(bodyOf(decl), (statement) => {
      if (found) return;
      if (on(statement.label)) found = { kind: 'label', name: statement.label!.name, span: statement.label!.span, container: decl };
      else if (statement.kind === 'call' && on(statement.callee)) found = { kind: 'block', name: statement.callee.name, span: statement.callee.span };
    });
    if (found) return found;
  }
  return undefined;
}

/** Every place a symbol is written: its declaration first where it has one. */
export function occurrences(analysis: Analysis, symbol: SymbolRef): Occurrence[] {
  const found: Occurrence[] = [];
  const add = (span: Span, isDeclaration: boolean) => found.push({ span, isDeclaration });
  if (symbol.kind === 'label') {
    walkStatements(bodyOf(symbol.container), (s) => {
      if (s.label?.name === symbol.name) add(s.label.span, true);
    });
    return found;
  }
  for (const decl of analysis.document.declarations) {
    if (decl.kind !== 'train' && decl.kind === symbol.kind && decl.name.name === symbol.name) add(decl.name.span, true);
  }
  for (const decl of analysis.document.declarations) {
    if (symbol.kind === 'model') {
      if (decl.kind === 'train' && decl.model?.name === symbol.name) add(decl.model.span, false);
      if (decl.kind === 'model' && decl.instanceOf?.callee.name === symbol.name) add(decl.instanceOf.callee.span, false);
    } else if (decl.kind !== 'train') {
      walkStatements(bodyOf(decl), (s) => {
        if (s.kind === 'call' && s.callee.name === symbol.name) add(s.callee.span, false);
      });
    }
  }
  return found.sort((a, b) => Number(b.isDeclaration) - Number(a.isDeclaration) || a.span.start - b.span.start);
}

/** Words that would change what a line means if a model, block or label took them as its name. */
const RESERVED = new Set(['model', 'block', 'train', 'shortcut', 'else', 'weight', 'x', ...Object.keys(STRUCTURE_KEYWORDS)]);

/** Why a symbol cannot take a new name, or undefined where it can. */
export function renameProblem(analysis: Analysis, symbol: SymbolRef, newName: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName)) return `'${newName}' is not a name: use letters, digits and _, starting with a letter or _`;
  if (newName === symbol.name) return undefined;
  if (RESERVED.has(newName)) return `'${newName}' is a keyword of the language`;
  if (symbol.kind === 'label') {
    let taken = false;
    walkStatements(bodyOf(symbol.container), (s) => {
      taken ||= s.label?.name === newName;
    });
    return taken ? `another layer in ${describeDeclaration(symbol.container)} is already called ${newName}` : undefined;
  }
  if (LAYER_BY_OP.has(newName)) return `'${newName}' is a layer; a ${symbol.kind} named so would read as one`;
  if (analysis.modelDecls.has(newName) || analysis.blocks.has(newName)) return `'${newName}' is already the name of a ${analysis.blocks.has(newName) ? 'block' : 'model'}`;
  return undefined;
}

/**
 * The `#` comment lines right above a declaration (no blank line between), without the `#`:
 * what the author wrote about it, shown in hovers, completion and signature help.
 */
export function docComment(analysis: Analysis, decl: Declaration): string | undefined {
  const lines: string[] = [];
  let expectedLine = analysis.lines.position(decl.span.start).line - 1;
  for (let i = analysis.document.comments.length - 1; i >= 0 && expectedLine >= 0; i--) {
    const comment = analysis.document.comments[i]!;
    if (comment.start >= decl.span.start) continue;
    const position = analysis.lines.position(comment.start);
    const ownLine = analysis.lines.lineText(position.line).slice(0, position.character).trim() === '';
    if (position.line !== expectedLine || !ownLine) break;
    lines.unshift(analysis.text.slice(comment.start + 1, comment.end).trim());
    expectedLine--;
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** `inception(c1, c3r, c3, c5r, c5, pp)` or `basic(f, s = 1)`, with each parameter's offsets in it. */
export function signature(analysis: Analysis, decl: BlockDecl | ModelDecl): { label: string; parameters: { label: string; start: number; end: number }[] } {
  let label = `${decl.name.name}(`;
  const parameters = decl.params.map((param, i) => {
    if (i > 0) label += ', ';
    const text = parameterText(analysis, param);
    const start = label.length;
    label += text;
    return { label: text, start, end: label.length };
  });
  return { label: `${label})`, parameters };
}

export function parameterText(analysis: Analysis, param: Parameter): string {
  return param.default ? `${param.name.name} = ${analysis.text.slice(param.default.span.start, param.default.span.end)}` : param.name.name;
}

export function describeDeclaration(decl: Declaration): string {
  return decl.kind === 'train' ? `train ${decl.model?.name ?? ''}`.trim() : `${decl.kind} ${decl.name.name}`;
}

/** Calls `visit` on every statement in a body, nested ones included, in source order. */
export function walkStatements(body: Sequence | undefined, visit: (statement: Statement) => void): void {
  if (!body) return;
  for (const statement of body.statements) {
    visit(statement);
    for (const inner of innerSequences(statement)) walkStatements(inner, visit);
  }
}

export function innerSequences(statement: Statement): Sequence[] {
  switch (statement.kind) {
    case 'merge': return statement.branches;
    case 'residual': return statement.shortcut ? [statement.body, statement.shortcut] : [statement.body];
    case 'repeat':
    case 'aux': return [statement.body];
    case 'if': return statement.otherwise ? [statement.then, statement.otherwise] : [statement.then];
    default: return [];
  }
}

function bodyOf(decl: Declaration): Sequence | undefined {
  return decl.kind === 'train' ? undefined : decl.body;
}
