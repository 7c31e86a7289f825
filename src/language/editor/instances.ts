import type { Analysis } from '../passes/analyze';
import type { LayerNode, ModelGraph, ScopeFrame } from '../layer-graph';
import { LAYER_BY_OP } from '../passes/layer-catalogue';
import { formatShape } from '../passes/ops';
import type { Span } from '../text';

/** What one source statement made in one model: a layer line's node, or a block call's nodes. */
export interface StatementInstance {
  model: ModelGraph;
  /** Every node made: one for a layer line, the whole body (nested calls included) for a call. */
  nodes: LayerNode[];
  /** The node the next statement reads. */
  output: LayerNode;
  /** The block calls around it, outermost first: the output node's scope, cut at the statement. */
  scope: ScopeFrame[];
}

/**
 * A statement of the source with everything it made. A line inside a block makes one instance per
 * call, a line in a `repeat` one per repetition, and a model's body is instantiated again by
 * every `model B = A(…)`.
 */
export interface StatementSite {
  span: Span;
  kind: 'layer' | 'call';
  instances: StatementInstance[];
}

/** Every statement that made nodes, in source order (outer statements before inner ones). */
export function statementSites(analysis: Analysis): StatementSite[] {
  const sites = new Map<string, StatementSite>();
  const site = (span: Span, kind: StatementSite['kind']): StatementSite => {
    const key = `${kind}:${span.start}:${span.end}`;
    let found = sites.get(key);
    if (!found) {
      found = { span, kind, instances: [] };
      sites.set(key, found);
    }
    return found;
  };
  for (const model of analysis.models) {
    const calls = new Map<number, { frame: ScopeFrame; depth: number; nodes: LayerNode[] }>();
    for (const node of model.nodes) {
      // A residual's projection shortcut has no statement of its own.
      if (node.synthetic !== 'shortcut') site(node.span, 'layer').instances.push({ model, nodes: [node], output: node, scope: node.scope });
      node.scope.forEach((frame, depth) => {
        const call = calls.get(frame.instance) ?? { frame, depth, nodes: [] };
        call.nodes.push(node);
        calls.set(frame.instance, call);
      });
    }
    for (const { frame, depth, nodes } of calls.values()) {
      site(frame.callSpan, 'call').instances.push({ model, nodes, output: callOutput(model, nodes), scope: nodes[0]!.scope.slice(0, depth + 1) });
    }
  }
  return [...sites.values()].sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
}

/**
 * The node a call hands on: the last of its nodes that a node after the call reads. An `aux` head
 * inside the block ends later but leads nowhere, so it is not the output.
 */
function callOutput(model: ModelGraph, nodes: LayerNode[]): LayerNode {
  const inside = new Set(nodes.map((n) => n.id));
  const readOutside = new Set<number>();
  for (const node of model.nodes) {
    if (inside.has(node.id)) continue;
    for (const input of node.inputs) if (inside.has(input)) readOutside.add(input);
  }
  for (const output of model.outputs) if (output.name === 'main' && inside.has(output.node)) readOutside.add(output.node);
  const last = nodes[nodes.length - 1]!;
  const handed = nodes.filter((n) => readOutside.has(n.id));
  return handed[handed.length - 1] ?? last;
}

/**
 * The instances that describe a site in its own model: a statement written in a model's body
 * belongs to that model even where `model B = A(…)` instantiates the body again; a statement in
 * a block belongs to every model that calls it.
 */
export function ownInstances(site: StatementSite): StatementInstance[] {
  const own = site.instances.filter((i) => i.model.span.start <= site.span.start && site.span.end <= i.model.span.end);
  return own.length > 0 ? own : site.instances;
}

/**
 * For the instances of a `pretrained` line, the base as one thing: its layers, its output (the
 * cut) and its parameters; undefined for any other line. A base's layers share the scope frame
 * its line opened.
 */
export function baseOf(instances: readonly StatementInstance[]): { nodes: LayerNode[]; output: LayerNode; trainable: number; nonTrainable: number } | undefined {
  const first = instances[0];
  const frameOf = (node: LayerNode) => node.scope.find((frame) => frame.block === 'pretrained');
  const frame = first && frameOf(first.output);
  if (!frame) return undefined;
  const nodes = instances.filter((i) => i.model === first.model && frameOf(i.output)?.instance === frame.instance).map((i) => i.output);
  if (nodes.length !== instances.filter((i) => i.model === first.model).length) return undefined;
  let trainable = 0;
  let nonTrainable = 0;
  for (const node of nodes) {
    trainable += node.params.trainable;
    nonTrainable += node.params.nonTrainable;
  }
  return { nodes, output: nodes[nodes.length - 1]!, trainable, nonTrainable };
}

/** The narrowest site around an offset, optionally of one kind. */
export function siteAt(sites: readonly StatementSite[], offset: number, kind?: StatementSite['kind']): StatementSite | undefined {
  let best: StatementSite | undefined;
  for (const candidate of sites) {
    if (kind !== undefined && candidate.kind !== kind) continue;
    if (offset < candidate.span.start || offset > candidate.span.end) continue;
    if (!best || candidate.span.end - candidate.span.start < best.span.end - best.span.start) best = candidate;
  }
  return best;
}

export function instanceParams(instance: StatementInstance): { trainable: number; nonTrainable: number; total: number } {
  let trainable = 0;
  let nonTrainable = 0;
  for (const node of instance.nodes) {
    trainable += node.params.trainable;
    nonTrainable += node.params.nonTrainable;
  }
  return { trainable, nonTrainable, total: trainable + nonTrainable };
}

/** The output shape every instance agrees on, or undefined where they differ or one is unknown. */
export function agreedShape(instances: readonly StatementInstance[]): string | undefined {
  const shapes = new Set(instances.map((i) => formatShape(i.output.outputShape)));
  const [only] = shapes;
  return shapes.size === 1 && only !== '?' ? only : undefined;
}

/** `inception3a › cbr`: the calls around an instance, as a reader finds them in the source. */
export function scopePath(scope: readonly ScopeFrame[]): string {
  return scope.map((frame) => frame.label ?? frame.block).join(' › ');
}

/** `61,706`: counts as Keras and torchinfo print them. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Convolutions: the layers with filters, which the Feature maps view shows. */
export function hasFilters(op: string): boolean {
  return LAYER_BY_OP.get(op)?.category === 'convolution';
}
