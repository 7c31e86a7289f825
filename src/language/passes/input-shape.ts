import type { Expr } from '../ast';
import { DiagnosticSink, didYouMean } from '../diagnostic-sink';
import type { Environment } from './expressions';

/**
 * `in.h`, `in.w`, `in.c`: the shape flowing into the statement where they are written, as a
 * paper writes C_in. A block reads its input's channels this way instead of taking them as an
 * argument (MobileNetV2's expansion, DenseNet's transitions).
 */
const FIELDS: Record<string, { axis: 'h' | 'w' | 'c'; doc: string }> = {
  h: { axis: 'h', doc: 'height' },
  w: { axis: 'w', doc: 'width' },
  c: { axis: 'c', doc: 'channels (a vector\'s length)' },
  height: { axis: 'h', doc: 'height' },
  width: { axis: 'w', doc: 'width' },
  channels: { axis: 'c', doc: 'channels (a vector\'s length)' },
};

export const INPUT_FIELDS: readonly string[] = Object.keys(FIELDS);

export function inputField(expr: Expr & { kind: 'member' }, env: Environment, sink: DiagnosticSink): number | undefined {
  const written = `${expr.object.name}.${expr.property.name}`;
  if (expr.object.name !== 'in') {
    sink.error('unknown-name', expr.object.span, `'${written}': only the input has fields here`, 'in.h, in.w and in.c are the height, width and channels of the shape flowing into the line');
    return undefined;
  }
  const field = FIELDS[expr.property.name];
  if (!field) {
    sink.error('unknown-name', expr.property.span, `the input has no field '${expr.property.name}'`, didYouMean(expr.property.name, INPUT_FIELDS) ?? 'its fields: in.h (height), in.w (width), in.c (channels)');
    return undefined;
  }
  const input = env.input;
  if (!input) {
    sink.error('unknown-name', expr.span, `${written} is the shape flowing into a layer line, and nothing flows here`, 'use in.h, in.w and in.c inside a model or block body');
    return undefined;
  }
  if (!input.flowing) {
    sink.error('missing-input', expr.span, `${written}: nothing flows into this line yet`, `a model starts with an input line such as 'input 28x28x1'`);
    return undefined;
  }
  const shape = input.shape;
  if (shape === null) return undefined;
  if (field.axis === 'c') return shape[shape.length - 1];
  if (shape.length !== 3) {
    sink.error('needs-spatial-input', expr.span, `${written}: the input is a vector of ${shape[0]}, which has no ${field.doc}`, 'in.c is its length');
    return undefined;
  }
  return field.axis === 'h' ? shape[0] : shape[1];
}
