import { element } from '../shared/dom';
import { CATEGORY_STYLES, categoryOf, shapePath, type NodeShape } from './layer-style';
import type { VisibleGraph } from './visible-graph';

const SVG = 'http://www.w3.org/2000/svg';
const SWATCH = { width: 28, height: 14 };

/**
 * The legend of what this diagram shows: the layer kinds present, shortcuts, collapsed blocks.
 * Swatches reuse the nodes' category classes, never `.node` or `.block` themselves.
 */
export function renderLegend(container: HTMLElement, graph: VisibleGraph): void {
  const present = new Set(graph.nodes.flatMap((n) => (n.kind === 'layer' ? [categoryOf(n.layer.type)] : [])));
  const items: HTMLElement[] = CATEGORY_STYLES.filter((s) => present.has(s.category))
    .map((s) => item(shapeSwatch(s.shape, `swatch cat-${s.category}`), s.label));
  if (graph.nodes.some((n) => n.kind === 'layer' && n.layer.synthetic === 'shortcut')) {
    items.push(item(shapeSwatch('rect', 'swatch cat-convolution synthetic-shortcut'), 'Projection shortcut (added for you)'));
  }
  if (graph.edges.some((e) => e.shortcut)) items.push(item(lineSwatch('swatch-edge shortcut'), 'Shortcut'));
  if (graph.nodes.some((n) => n.kind === 'block')) items.push(item(shapeSwatch('rect', 'swatch swatch-block'), 'Collapsed block'));
  container.replaceChildren(...items);
}

function item(swatch: SVGSVGElement, label: string): HTMLElement {
  const row = element('div', 'legend-item');
  row.append(swatch, element('span', 'legend-label', label));
  return row;
}

function swatchSvg(): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(SWATCH.width));
  svg.setAttribute('height', String(SWATCH.height));
  svg.setAttribute('aria-hidden', 'true');
  return svg;
}

function shapeSwatch(shape: NodeShape, className: string): SVGSVGElement {
  const svg = swatchSvg();
  const g = document.createElementNS(SVG, 'g');
  g.setAttribute('class', className);
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('class', 'node-shape');
  path.setAttribute('transform', 'translate(1,1)');
  path.setAttribute('d', shapePath(shape, SWATCH.width - 2, SWATCH.height - 2));
  g.append(path);
  svg.append(g);
  return svg;
}

function lineSwatch(className: string): SVGSVGElement {
  const svg = swatchSvg();
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('class', className);
  path.setAttribute('d', `M1,${SWATCH.height / 2}H${SWATCH.width - 1}`);
  svg.append(path);
  return svg;
}
