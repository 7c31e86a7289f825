import type { Expr, ResidualStatement, Statement } from '../ast';
import type { DiagnosticSink } from '../diagnostic-sink';
import type { Environment } from './expressions';

/** A projection that `residual` put on its shortcut in one instance. */
export interface Projection {
  input: number[];
  output: number[];
  filters: number;
  stride: [number, number];
  eps: number;
  momentum: number;
  /** Trainable parameters of the convolution and batchnorm. */
  params: number;
  /** The parameters in scope, to name the filters and stride by the one that holds them. */
  env: Environment;
}

function change(p: Projection): string {
  const channels = `${p.input.at(-1)} → ${p.output.at(-1)} channels`;
  return p.stride[0] === 1 && p.stride[1] === 1 ? channels : `${channels}, stride ${p.stride[0] === p.stride[1] ? p.stride[0] : p.stride.join('×')}`;
}

/**
 * Collects, per residual statement, where it inserted a projection and where the identity was
 * enough, and tells the writer once per statement: a shortcut that silently grows a 1×1
 * convolution is right for ResNet and a trap for MobileNetV2. The note carries a quick fix that
 * writes the shortcut out, so that the model says what it does.
 */
export class ShortcutNotes {
  private readonly notes = new Map<ResidualStatement, { projections: Projection[]; identities: number }>();

  identity(statement: ResidualStatement): void {
    this.note(statement).identities++;
  }

  projection(statement: ResidualStatement, projection: Projection): void {
    this.note(statement).projections.push(projection);
  }

  report(sink: DiagnosticSink): void {
    for (const [statement, note] of this.notes) {
      const first = note.projections[0];
      if (first === undefined) continue;
      const calls = note.projections.length + note.identities;
      const where = calls === 1 ? '' : ` in ${note.projections.length} of its ${calls} uses`;
      const text = shortcutText(statement, note.projections, note.identities > 0);
      sink.add({
        severity: 'info', code: 'residual-projection', span: statement.keyword.span,
        // Sizes left out: a model's variants at other input sizes share the note.
        message: `residual adds a 1×1 convolution and batchnorm to its shortcut${where}, because the body changes the shape (${change(first)}: ${first.params.toLocaleString('en-US')} parameters)`,
        hint: `for a shortcut that must stay the identity write 'shortcut { }', which reports the mismatch${text === undefined ? '' : '; the quick fix writes this projection out'}`,
        fix: text === undefined ? undefined : { title: 'Write the projection shortcut out', span: { start: statement.body.span.end, end: statement.body.span.end }, newText: ` shortcut { ${text} }` },
      });
    }
  }

  private note(statement: ResidualStatement) {
    let note = this.notes.get(statement);
    if (!note) this.notes.set(statement, note = { projections: [], identities: 0 });
    return note;
  }
}

/**
 * The shortcut the language inserted, as source: with the numbers where every use agrees, else
 * with the body's own expressions for the filters and stride, under an `if` where some uses
 * keep the identity. Undefined where the body does not say them plainly.
 */
function shortcutText(statement: ResidualStatement, projections: Projection[], someIdentity: boolean): string | undefined {
  const first = projections[0]!;
  const norm = `batchnorm${first.eps === 0.001 ? '' : ` eps ${first.eps}`}${first.momentum === 0.99 ? '' : ` momentum ${first.momentum}`}`;
  const same = projections.every((p) => p.filters === first.filters && p.stride[0] === first.stride[0] && p.stride[1] === first.stride[1]);
  const literalStride = first.stride[0] === first.stride[1] ? String(first.stride[0]) : `${first.stride[0]}x${first.stride[1]}`;
  if (same && !someIdentity) return `conv ${first.filters} 1x1${literalStride === '1' ? '' : ` stride ${literalStride}`} nobias; ${norm}`;
  const written = writtenInBody(statement);
  const filters = written?.filters ?? parameterHolding(projections, (p) => p.filters);
  const stride = written?.stride ?? (projections.every((p) => p.stride[0] === 1 && p.stride[1] === 1) ? '1' : parameterHolding(projections, (p) => (p.stride[0] === p.stride[1] ? p.stride[0] : undefined)));
  if (filters === undefined || stride === undefined) return undefined;
  const conv = `conv ${filters} 1x1${stride === '1' ? '' : ` stride ${stride}`} nobias; ${norm}`;
  if (!someIdentity) return conv;
  const changes = stride === '1' ? `in.c != ${filters}` : `in.c != ${filters} or ${stride} != 1`;
  return `if ${changes} { ${conv} }`;
}

/** The filters and stride as the body's layers write them, where the body is plain layers. */
function writtenInBody(statement: ResidualStatement): { filters: string; stride: string } | undefined {
  const layers = statement.body.statements.filter((s): s is Statement & { kind: 'layer' } => s.kind === 'layer');
  const last = [...layers].reverse().find((s) => s.op.name === 'conv' || s.op.name === 'sepconv');
  const strided = layers.filter((s) => s.args.some((a) => a.kind === 'name' && a.name === 'stride'));
  if (last === undefined || last.args[0] === undefined || strided.length > 1 || layers.length !== statement.body.statements.length) return undefined;
  const strideWord = strided[0] && strided[0].args[strided[0].args.findIndex((a) => a.kind === 'name' && a.name === 'stride') + 1];
  return { filters: sourceOf(last.args[0], true), stride: strideWord === undefined ? '1' : sourceOf(strideWord, true) };
}

/** A parameter that holds the value in every use (the body is a call: `bottleneck(out, s, t)`). */
function parameterHolding(projections: Projection[], value: (p: Projection) => number | undefined): string | undefined {
  const names = [...projections[0]!.env.keys()];
  return names.find((name) => projections.every((p) => value(p) !== undefined && p.env.get(name) === value(p)));
}

function sourceOf(expr: Expr, top = false): string {
  switch (expr.kind) {
    case 'number': return String(expr.value);
    case 'dims': return expr.dims.join('x');
    case 'name': return expr.name;
    case 'string': return `"${expr.value}"`;
    case 'member': return `${expr.object.name}.${expr.property.name}`;
    case 'unary': return expr.op === 'not' ? `not ${sourceOf(expr.operand)}` : `${expr.op}${sourceOf(expr.operand)}`;
    case 'binary': return top ? `${sourceOf(expr.left)} ${expr.op} ${sourceOf(expr.right)}` : `(${sourceOf(expr.left)} ${expr.op} ${sourceOf(expr.right)})`;
    case 'size': return expr.parts.map((part) => sourceOf(part)).join(' x ');
  }
}
