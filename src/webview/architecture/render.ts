import * as d3 from 'd3';
import type { GraphNodeJson } from '../../protocol/graph';
import { formatCount, formatShape } from '../shared/format';
import { categoryOf, shapePath, styleOfCategory } from './layer-style';
import { GROUP_HEADER, type DiagramLayout } from './layout';
import type { Block, VisibleGraph, VisibleNode } from './visible-graph';

/** What the diagram does with the pointer; the view decides what each means. */
export interface DiagramEvents {
  hover(node: VisibleNode, event: MouseEvent): void;
  move(event: MouseEvent): void;
  leave(): void;
  /** A click or Enter on a node: reveal a layer's line, expand a collapsed block. */
  activate(node: VisibleNode): void;
  /** A click on an expanded block's header. */
  collapse(key: string): void;
}

const MAX_LABEL = 24;
const STACK_OFFSET = 4;

/** Redraws the whole diagram into `canvas` (the zoomed group). */
export function drawDiagram(canvas: SVGGElement, graph: VisibleGraph, layout: DiagramLayout, events: DiagramEvents): void {
  const root = d3.select(canvas);
  root.selectChildren().remove();
  drawGroups(root.append('g').attr('class', 'groups'), graph.blocks, layout, events);
  drawEdges(root.append('g').attr('class', 'edges'), graph, layout);
  drawNodes(root.append('g').attr('class', 'nodes'), graph.nodes, layout, events);
}

/** Marks the nodes (layers or folded blocks) with the given visible ids, unmarking the rest. */
export function markHighlighted(canvas: SVGGElement, visibleIds: ReadonlySet<string>): void {
  d3.select(canvas).selectAll<SVGGElement, VisibleNode>('g.node, g.block').classed('highlighted', (d) => visibleIds.has(d.id));
}

function drawGroups(parent: d3.Selection<SVGGElement, unknown, null, undefined>, blocks: Block[], layout: DiagramLayout, events: DiagramEvents): void {
  const expanded = blocks.filter((b) => layout.groups.has(b.key));
  const group = parent.selectAll('g.group').data(expanded).join('g')
    .attr('class', 'group')
    .attr('data-block', (b) => b.key)
    .attr('transform', (b) => translate(layout.groups.get(b.key)!));
  group.append('rect').attr('class', 'group-frame').attr('rx', 6)
    .attr('width', (b) => layout.groups.get(b.key)!.width)
    .attr('height', (b) => layout.groups.get(b.key)!.height);
  const header = group.append('g').attr('class', 'group-header')
    .attr('role', 'button').attr('tabindex', 0)
    .attr('aria-label', (b) => `collapse ${b.title}`)
    .on('click', (event: MouseEvent, b) => {
      event.stopPropagation();
      events.collapse(b.key);
    })
    .on('keydown', (event: KeyboardEvent, b) => {
      if (event.key === 'Enter' || event.key === ' ') events.collapse(b.key);
    });
  header.append('rect').attr('class', 'group-header-hit').attr('rx', 6)
    .attr('width', (b) => layout.groups.get(b.key)!.width).attr('height', GROUP_HEADER);
  header.append('text').attr('class', 'group-title').attr('x', 10).attr('y', GROUP_HEADER / 2 + 4)
    .text((b) => `▾ ${b.title} · ${b.layerIds.length} layers`);
}

function drawEdges(parent: d3.Selection<SVGGElement, unknown, null, undefined>, graph: VisibleGraph, layout: DiagramLayout): void {
  const line = d3.line();
  parent.selectAll('path.edge').data(graph.edges.filter((e) => layout.edges.has(e.id))).join('path')
    .attr('class', (e) => (e.shortcut ? 'edge shortcut' : 'edge'))
    .attr('data-from', (e) => e.from)
    .attr('data-to', (e) => e.to)
    .attr('d', (e) => line(layout.edges.get(e.id)!))
    .attr('marker-end', (e) => (e.shortcut ? 'url(#arrow-shortcut)' : 'url(#arrow)'));
}

function drawNodes(parent: d3.Selection<SVGGElement, unknown, null, undefined>, nodes: VisibleNode[], layout: DiagramLayout, events: DiagramEvents): void {
  const placed = nodes.filter((n) => layout.nodes.has(n.id));
  const node = parent.selectAll('g').data(placed).join('g')
    .attr('class', nodeClass)
    .attr('data-id', (n) => n.id)
    .attr('transform', (n) => translate(layout.nodes.get(n.id)!))
    .attr('role', 'button')
    .attr('tabindex', 0)
    .attr('aria-label', (n) => (n.kind === 'layer' ? `${n.layer.name}, ${n.layer.type}` : `${n.block.title}, collapsed`))
    .on('mouseenter', (event: MouseEvent, n) => events.hover(n, event))
    .on('mousemove', (event: MouseEvent) => events.move(event))
    .on('mouseleave', () => events.leave())
    .on('click', (event: MouseEvent, n) => {
      event.stopPropagation();
      events.activate(n);
    })
    .on('keydown', (event: KeyboardEvent, n) => {
      if (event.key === 'Enter' || event.key === ' ') events.activate(n);
    });
  node.each(function (n) {
    const box = layout.nodes.get(n.id)!;
    const g = d3.select(this);
    if (n.kind === 'block') {
      // A stack of cards: the block holds several layers.
      g.append('rect').attr('class', 'node-shape stack').attr('x', STACK_OFFSET).attr('y', -STACK_OFFSET).attr('rx', 3)
        .attr('width', box.width - STACK_OFFSET).attr('height', box.height);
      g.append('rect').attr('class', 'node-shape').attr('rx', 3).attr('width', box.width - STACK_OFFSET).attr('height', box.height);
    } else {
      g.append('path').attr('class', 'node-shape').attr('d', shapePath(styleOfCategory(categoryOf(n.layer.type)).shape, box.width, box.height));
    }
    const [first, second, third] = nodeLines(n);
    const middle = (n.kind === 'block' ? box.width - STACK_OFFSET : box.width) / 2;
    g.append('text').attr('class', 'node-name').attr('x', middle).attr('y', 17).text(first);
    g.append('text').attr('class', 'node-type').attr('x', middle).attr('y', 32).text(second);
    g.append('text').attr('class', 'node-detail').attr('x', middle).attr('y', 47).text(third);
  });
}

function nodeClass(n: VisibleNode): string {
  if (n.kind === 'block') return 'block';
  const classes = ['node', `cat-${categoryOf(n.layer.type)}`];
  if (n.layer.synthetic === 'shortcut') classes.push('synthetic-shortcut');
  return classes.join(' ');
}

function nodeLines(n: VisibleNode): [string, string, string] {
  if (n.kind === 'block') {
    const b = n.block;
    return [`▸ ${truncate(b.title)}`, `${b.layerIds.length} layers · click to expand`, detail(b.outputShape, b.params)];
  }
  return [truncate(n.layer.name), truncate(typeLine(n.layer)), detail(n.layer.outputShape, n.layer.params)];
}

function typeLine(layer: GraphNodeJson): string {
  return layer.synthetic === 'shortcut' ? `${layer.type} · shortcut` : layer.type;
}

function detail(shape: number[] | null, params: number): string {
  return `${formatShape(shape)} · ${params === 0 ? 'no params' : `${formatCount(params)} params`}`;
}

function truncate(text: string): string {
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

function translate(box: { x: number; y: number }): string {
  return `translate(${box.x},${box.y})`;
}
