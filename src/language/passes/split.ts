import type { MergeStatement, Sequence, Statement } from '../ast';
import type { DiagnosticCode } from '../diagnostic-sink';
import type { Attrs } from '../layer-graph';
import type { Span } from '../text';

interface Flow {
  node: number | null;
  shape: number[] | null;
}

/** The walk's steps that a split uses, so that this module needs nothing else of it. */
export interface SplitSteps<C extends Flow> {
  branch(branch: Sequence, start: C): C;
  slice(base: { attrs: Attrs; span: Span }, from: C, shape: number[] | null): C;
  join(ends: C[], statement: Statement): C;
  report(code: DiagnosticCode, span: Span, message: string, hint?: string): void;
}

/**
 * `split { {…} {…} }`: the input's channels are cut into as many equal parts as there are
 * branches, each branch runs on its own part, and the outputs are joined along the channels.
 * This is how towers are written (AlexNet's two GPUs); a `slice` node starts each branch.
 */
export function splitChannels<C extends Flow>(statement: MergeStatement, cursor: C, steps: SplitSteps<C>): C {
  const towers = statement.branches.length;
  if (towers === 0) {
    if (!statement.malformed) steps.report('empty-branch', statement.op.span, 'split has no branches', 'write split { { … } { … } }: each branch is one tower on its share of the channels');
    return cursor;
  }
  if (cursor.node === null) return steps.join(statement.branches.map((branch) => steps.branch(branch, cursor)), statement);
  const shape = cursor.shape;
  let size: number | null = null;
  if (shape !== null && shape.length !== 3) {
    steps.report('needs-spatial-input', statement.op.span, `split needs H×W×C maps to divide their channels, but gets a vector of ${shape[0]}`, 'split maps before flatten or global pooling');
  } else if (shape !== null && shape[2]! % towers !== 0) {
    steps.report('channel-groups', statement.op.span, `split: ${shape[2]} channels do not divide into ${towers} equal towers`, `use a number of branches that divides ${shape[2]}`);
  } else if (shape !== null) {
    size = shape[2]! / towers;
  }
  const ends = statement.branches.map((branch, k) => {
    const part = size === null ? null : [shape![0]!, shape![1]!, size];
    const start = steps.slice({ attrs: { start: k * (size ?? 0), size: size ?? 0 }, span: branch.span }, cursor, part);
    return steps.branch(branch, start);
  });
  return steps.join(ends, statement);
}
