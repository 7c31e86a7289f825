import type { GraphJson, GraphNodeJson } from '../../protocol/graph';
import type { JsonRange } from '../../protocol/summary';

/**
 * What the diagram shows of a GraphJson once some blocks are collapsed. Blocks group layers by
 * `scope[0]`, the outermost block call that made them (an Inception module, a ResNet stage), so
 * one click folds a whole call. Pure: tested in Node.
 */

export interface Block {
  /** Stable across edits while the call keeps its label: the label, else block#instance. */
  key: string;
  /** `inception3a (inception)`, or `auxhead #2` for an unlabelled call. */
  title: string;
  layerIds: number[];
  params: number;
  trainableParams: number;
  macs: number;
  /** The output of the block's last layer that feeds something outside it. */
  outputShape: number[] | null;
  /** The call statement. */
  range: JsonRange;
}

export type VisibleNode =
  | { kind: 'layer'; id: string; layer: GraphNodeJson; block?: string }
  | { kind: 'block'; id: string; block: Block };

export interface VisibleEdge {
  id: string;
  from: string;
  to: string;
  /** A ResNet shortcut: into or out of a synthetic projection, or the identity input of a residual add. */
  shortcut: boolean;
}

export interface VisibleGraph {
  nodes: VisibleNode[];
  /** Every block; `collapsed` says which are drawn as one node. */
  blocks: Block[];
  collapsed: ReadonlySet<string>;
  edges: VisibleEdge[];
  /** The visible node that stands for each layer id: itself, or its collapsed block. */
  visibleIdOf: Map<number, string>;
}

export const layerNodeId = (layerId: number): string => `n${layerId}`;
export const blockNodeId = (key: string): string => `b:${key}`;

/** What a model first shows folded: its pretrained bases, whose dozens of layers are one idea. */
export function initiallyCollapsed(graph: GraphJson): Set<string> {
  return new Set(graph.nodes.filter((n) => n.scope[0]?.block === 'pretrained').map((n) => blockKeyOf(n)!));
}

export function blockKeyOf(node: GraphNodeJson): string | undefined {
  const call = node.scope[0];
  if (!call) return undefined;
  return call.label ?? `${call.block}#${call.instance}`;
}

export function blocksOf(graph: GraphJson): Block[] {
  const byKey = new Map<string, Block>();
  const unlabelled = new Map<string, number>();
  for (const node of graph.nodes) {
    const key = blockKeyOf(node);
    const call = node.scope[0];
    if (key === undefined || !call) continue;
    let block = byKey.get(key);
    if (!block) {
      const ordinal = call.label ? 0 : (unlabelled.get(call.block) ?? 0) + 1;
      if (!call.label) unlabelled.set(call.block, ordinal);
      const title = call.label ? `${call.label} (${call.block})` : `${call.block} #${ordinal}`;
      block = { key, title, layerIds: [], params: 0, trainableParams: 0, macs: 0, outputShape: null, range: call.range };
      byKey.set(key, block);
    }
    block.layerIds.push(node.id);
    block.params += node.params;
    block.trainableParams += node.trainableParams;
    block.macs += node.macs;
  }
  const keyOf = new Map(graph.nodes.map((n) => [n.id, blockKeyOf(n)]));
  const leaves = new Set([...graph.edges.filter((e) => keyOf.get(e.from) !== keyOf.get(e.to)).map((e) => e.from), ...graph.outputs.map((o) => o.node)]);
  const shapeOf = new Map(graph.nodes.map((n) => [n.id, n.outputShape]));
  for (const block of byKey.values()) {
    const exits = block.layerIds.filter((id) => leaves.has(id));
    block.outputShape = shapeOf.get(exits.at(-1) ?? block.layerIds.at(-1)!) ?? null;
  }
  return [...byKey.values()];
}

/** Shortcut edges, by index into graph.edges. */
export function shortcutEdges(graph: GraphJson): Set<number> {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const inputsSeen = new Map<number, number>();
  const shortcuts = new Set<number>();
  graph.edges.forEach((edge, index) => {
    const position = inputsSeen.get(edge.to) ?? 0;
    inputsSeen.set(edge.to, position + 1);
    const from = nodes.get(edge.from);
    const to = nodes.get(edge.to);
    // The instantiator gives a residual add its inputs as [body, shortcut].
    const identity = to?.synthetic === 'residual-add' && position === 1;
    if (identity || from?.synthetic === 'shortcut' || to?.synthetic === 'shortcut') shortcuts.add(index);
  });
  return shortcuts;
}

export function visibleGraph(graph: GraphJson, collapsed: ReadonlySet<string>): VisibleGraph {
  const blocks = blocksOf(graph);
  const folded = new Set(blocks.filter((b) => collapsed.has(b.key)).map((b) => b.key));
  const visibleIdOf = new Map<number, string>();
  const nodes: VisibleNode[] = [];
  const placed = new Set<string>();
  const blockByKey = new Map(blocks.map((b) => [b.key, b]));
  for (const layer of graph.nodes) {
    const key = blockKeyOf(layer);
    if (key !== undefined && folded.has(key)) {
      const id = blockNodeId(key);
      visibleIdOf.set(layer.id, id);
      if (!placed.has(id)) {
        placed.add(id);
        nodes.push({ kind: 'block', id, block: blockByKey.get(key)! });
      }
    } else {
      const id = layerNodeId(layer.id);
      visibleIdOf.set(layer.id, id);
      nodes.push({ kind: 'layer', id, layer, block: key });
    }
  }
  const shortcuts = shortcutEdges(graph);
  const edges: VisibleEdge[] = [];
  const seen = new Set<string>();
  graph.edges.forEach((edge, index) => {
    const from = visibleIdOf.get(edge.from);
    const to = visibleIdOf.get(edge.to);
    if (from === undefined || to === undefined || from === to) return;
    const shortcut = shortcuts.has(index);
    const id = `${from}->${to}${shortcut ? ':shortcut' : ''}`;
    if (seen.has(id)) return;
    seen.add(id);
    edges.push({ id, from, to, shortcut });
  });
  return { nodes, blocks, collapsed: folded, edges, visibleIdOf };
}
