import type { Span } from './text';

/** Expressions: the values after a layer's name, block arguments and settings. */
export type Expr =
  | { kind: 'number'; value: number; span: Span }
  | { kind: 'dims'; dims: number[]; span: Span }
  | { kind: 'name'; name: string; span: Span }
  | { kind: 'string'; value: string; span: Span }
  | { kind: 'unary'; op: '-' | '+' | 'not'; operand: Expr; span: Span }
  /** `in.c`: a field of the shape that flows into the statement. */
  | { kind: 'member'; object: Identifier; property: Identifier; span: Span }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; span: Span }
  /** `s x s x 3`: a size built from expressions. */
  | { kind: 'size'; parts: Expr[]; span: Span };

export interface Identifier {
  name: string;
  span: Span;
}

/** A block call argument: positional (`64`) or named (`s = 2`). */
export interface Argument {
  name?: Identifier;
  value: Expr;
  span: Span;
}

export interface Parameter {
  name: Identifier;
  default?: Expr;
  span: Span;
}

interface StatementBase {
  span: Span;
  /** `C1:` before the statement. */
  label?: Identifier;
}

/** `conv 6 5x5 pad 2 tanh`: an operation and the words after it, bound later against the layer's spec. */
export interface LayerStatement extends StatementBase {
  kind: 'layer';
  op: Identifier;
  args: Expr[];
}

export interface CallStatement extends StatementBase {
  kind: 'call';
  callee: Identifier;
  args: Argument[];
  /** The `(…)` part, for signature help. */
  argsSpan: Span;
}

/**
 * `concat { {…} {…} }` or `add { {…} {…} }`: parallel branches from the same input;
 * `split { {…} {…} }`: each branch on its equal share of the input's channels, joined (towers).
 */
export type MergeOp = 'concat' | 'add' | 'split';

export interface MergeStatement extends StatementBase {
  kind: 'merge';
  op: Identifier & { name: MergeOp };
  branches: Sequence[];
  /** A syntax error inside was reported already. */
  malformed?: boolean;
}

/** `residual { body } [shortcut { path }]`: body plus shortcut, added. */
export interface ResidualStatement extends StatementBase {
  kind: 'residual';
  keyword: Identifier;
  body: Sequence;
  shortcut?: Sequence;
  shortcutKeyword?: Identifier;
}

export interface RepeatStatement extends StatementBase {
  kind: 'repeat';
  keyword: Identifier;
  count: Expr;
  body: Sequence;
}

export interface IfStatement extends StatementBase {
  kind: 'if';
  keyword: Identifier;
  condition: Expr;
  then: Sequence;
  otherwise?: Sequence;
}

/** `aux [weight 0.3] { … }`: a side head that becomes an extra output, as in GoogLeNet. */
export interface AuxStatement extends StatementBase {
  kind: 'aux';
  keyword: Identifier;
  weight?: Expr;
  body: Sequence;
}

export type Statement =
  | LayerStatement
  | CallStatement
  | MergeStatement
  | ResidualStatement
  | RepeatStatement
  | IfStatement
  | AuxStatement;

export interface Sequence {
  statements: Statement[];
  /** From `{` to `}` inclusive. */
  span: Span;
}

export interface ModelDecl {
  kind: 'model';
  keyword: Identifier;
  name: Identifier;
  params: Parameter[];
  body?: Sequence;
  /** `model GoogLeNetAux = GoogLeNet(aux = 1)`. */
  instanceOf?: CallStatement;
  span: Span;
}

export interface BlockDecl {
  kind: 'block';
  keyword: Identifier;
  name: Identifier;
  params: Parameter[];
  paramsSpan: Span;
  body: Sequence;
  span: Span;
}

/** One line of a `train` section: `optimizer adam lr 0.001`. */
export interface Setting {
  key: Identifier;
  args: Expr[];
  span: Span;
}

export interface TrainDecl {
  kind: 'train';
  keyword: Identifier;
  model?: Identifier;
  settings: Setting[];
  bodySpan: Span;
  span: Span;
}

export type Declaration = ModelDecl | BlockDecl | TrainDecl;

export interface Document {
  declarations: Declaration[];
  /** `#` comments, for folding and formatting. */
  comments: Span[];
}
