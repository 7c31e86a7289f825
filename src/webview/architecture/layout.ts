/**
 * Lays the visible graph out with ELK's layered algorithm, top to bottom.
 *
 * Why ELK (elkjs) and not dagre: ELK lays out compound nodes, so an expanded block is a real box
 * that holds its layers and the layout keeps them together (hierarchyHandling INCLUDE_CHILDREN);
 * it routes edges orthogonally around nodes, which keeps Inception's four branches and ResNet's
 * shortcuts readable; it can keep the source's branch order (considerModelOrder); and it is
 * maintained by the Eclipse Foundation, where dagre is barely maintained. The bundled build runs
 * in the page without a worker, so the CSP needs no worker-src or blob: scripts.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { blockNodeId, type VisibleGraph } from './visible-graph';

export const NODE_WIDTH = 184;
export const NODE_HEIGHT = 56;
/** Room above an expanded block's layers for its clickable header. */
export const GROUP_HEADER = 30;
const GROUP_PADDING = 12;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DiagramLayout {
  width: number;
  height: number;
  /** Visible node id → its box, in diagram coordinates. */
  nodes: Map<string, Box>;
  /** Expanded block key → its frame. */
  groups: Map<string, Box>;
  /** Edge id → its polyline. */
  edges: Map<string, [number, number][]>;
}

const ROOT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.spacing.nodeNodeBetweenLayers': '26',
  'elk.layered.spacing.edgeNodeBetweenLayers': '14',
  'elk.spacing.nodeNode': '22',
  'elk.spacing.edgeNode': '14',
  'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
  // Every coordinate in the result relative to the root, so drawing needs no offsets.
  'elk.json.edgeCoords': 'ROOT',
  'elk.json.shapeCoords': 'ROOT',
};

const GROUP_OPTIONS: Record<string, string> = {
  'elk.padding': `[top=${GROUP_HEADER + GROUP_PADDING},left=${GROUP_PADDING},bottom=${GROUP_PADDING},right=${GROUP_PADDING}]`,
};

const elk = new ELK();
let previous: { key: string; layout: DiagramLayout } | undefined;

/**
 * Most keystrokes change a shape or a count, not which layers connect to which: the previous
 * layout is reused when the structure (nodes, their blocks, edges) is the same.
 */
export async function layoutDiagram(graph: VisibleGraph): Promise<DiagramLayout> {
  const key = structureKey(graph);
  if (previous?.key === key) return previous.layout;
  const layout = await runElk(graph);
  previous = { key, layout };
  return layout;
}

/**
 * ELK is compiled Java (GWT): its first layout in a page pays for class set-up and JIT warm-up.
 * Laying out a small residual-shaped graph while the view waits for its first model takes a good
 * part of that cost off the first real diagram.
 */
export async function warmUpLayout(): Promise<void> {
  const chain = Array.from({ length: 12 }, (_, i) => ({ id: `w${i}`, width: NODE_WIDTH, height: NODE_HEIGHT }));
  const group: ElkNode = { id: 'group:w', layoutOptions: GROUP_OPTIONS, children: chain.slice(4, 10) };
  const root: ElkNode = {
    id: 'root', layoutOptions: ROOT_OPTIONS,
    children: [...chain.slice(0, 4), group, ...chain.slice(10)],
    edges: [
      ...chain.slice(1).map((node, i): ElkExtendedEdge => ({ id: `e${i}`, sources: [`w${i}`], targets: [node.id] })),
      { id: 'skip', sources: ['w3'], targets: ['w9'] },
    ],
  };
  await elk.layout(root);
}

function structureKey(graph: VisibleGraph): string {
  const nodes = graph.nodes.map((n) => (n.kind === 'layer' ? `${n.id}@${n.block ?? ''}` : n.id)).join(',');
  return `${nodes}|${graph.edges.map((e) => e.id).join(',')}`;
}

async function runElk(graph: VisibleGraph): Promise<DiagramLayout> {
  const root: ElkNode = { id: 'root', layoutOptions: ROOT_OPTIONS, children: [], edges: [] };
  const groups = new Map<string, ElkNode>();
  for (const node of graph.nodes) {
    const box: ElkNode = { id: node.id, width: NODE_WIDTH, height: NODE_HEIGHT };
    if (node.kind === 'layer' && node.block !== undefined) {
      let group = groups.get(node.block);
      if (!group) {
        group = { id: groupId(node.block), layoutOptions: GROUP_OPTIONS, children: [] };
        groups.set(node.block, group);
        root.children!.push(group);
      }
      group.children!.push(box);
    } else {
      root.children!.push(box);
    }
  }
  root.edges = graph.edges.map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.from], targets: [e.to] }));
  const result = await elk.layout(root);
  return readLayout(result, [...groups.keys()]);
}

function readLayout(result: ElkNode, groupKeys: string[]): DiagramLayout {
  const nodes = new Map<string, Box>();
  const frames = new Map<string, Box>();
  const keyOfGroup = new Map(groupKeys.map((k) => [groupId(k), k]));
  const visit = (node: ElkNode) => {
    const box = { x: node.x ?? 0, y: node.y ?? 0, width: node.width ?? 0, height: node.height ?? 0 };
    const key = keyOfGroup.get(node.id);
    if (key !== undefined) frames.set(key, box);
    else nodes.set(node.id, box);
    for (const child of node.children ?? []) visit(child);
  };
  for (const child of result.children ?? []) visit(child);
  const edges = new Map<string, [number, number][]>();
  const collect = (node: ElkNode) => {
    for (const edge of (node.edges ?? []) as ElkExtendedEdge[]) {
      const points: [number, number][] = [];
      for (const section of edge.sections ?? []) {
        for (const p of [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]) points.push([p.x, p.y]);
      }
      edges.set(edge.id, points);
    }
    for (const child of node.children ?? []) collect(child);
  };
  collect(result);
  return { width: result.width ?? 0, height: result.height ?? 0, nodes, groups: frames, edges };
}

// A group's ELK id must differ from the collapsed block node's id, which is blockNodeId(key).
function groupId(key: string): string {
  return `group:${blockNodeId(key)}`;
}
