import * as d3 from 'd3';
import type { Box } from './layout';

export interface ViewTransform {
  x: number;
  y: number;
  k: number;
}

const MARGIN = 24;
/** Below this scale a node's text is too small to read; the first view fits the width instead. */
const READABLE_SCALE = 0.6;
const ANIMATION_MS = 250;

/** Zoom and pan of the diagram with d3-zoom: wheel, drag, buttons, fit, and scrolling to a node. */
export class Viewport {
  private readonly zoom: d3.ZoomBehavior<SVGSVGElement, unknown>;
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;

  constructor(svg: SVGSVGElement, canvas: SVGGElement, onSettled: (transform: ViewTransform) => void) {
    this.svg = d3.select(svg);
    this.zoom = d3.zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.02, 4])
      .on('zoom', (event: d3.D3ZoomEvent<SVGSVGElement, unknown>) => canvas.setAttribute('transform', event.transform.toString()))
      .on('end', (event: d3.D3ZoomEvent<SVGSVGElement, unknown>) => onSettled({ x: event.transform.x, y: event.transform.y, k: event.transform.k }));
    this.svg.call(this.zoom).on('dblclick.zoom', null);
  }

  get transform(): ViewTransform {
    const t = d3.zoomTransform(this.svg.node()!);
    return { x: t.x, y: t.y, k: t.k };
  }

  set(transform: ViewTransform): void {
    this.svg.call(this.zoom.transform, d3.zoomIdentity.translate(transform.x, transform.y).scale(transform.k));
  }

  zoomBy(factor: number): void {
    this.animated().call(this.zoom.scaleBy, factor);
  }

  /** The whole diagram in view, never enlarged past 1:1. */
  fit(content: Box, animate = true): void {
    const { width, height } = this.size();
    const k = Math.min(1, (width - 2 * MARGIN) / content.width, (height - 2 * MARGIN) / content.height);
    this.go(this.centred(content, k), animate);
  }

  /** The first view of a diagram: all of it when that stays readable, else its top at full width. */
  initial(content: Box): void {
    const { width, height } = this.size();
    const whole = Math.min(1, (width - 2 * MARGIN) / content.width, (height - 2 * MARGIN) / content.height);
    if (whole >= READABLE_SCALE) return this.fit(content, false);
    const k = Math.min(1, (width - 2 * MARGIN) / content.width);
    this.go({ x: (width - content.width * k) / 2 - content.x * k, y: MARGIN - content.y * k, k }, false);
  }

  /** Pans (keeping the zoom) to centre `target` when any of it lies outside the view. */
  reveal(target: Box): void {
    const { width, height } = this.size();
    const t = this.transform;
    const left = target.x * t.k + t.x;
    const top = target.y * t.k + t.y;
    const inside = left >= 0 && top >= 0 && left + target.width * t.k <= width && top + target.height * t.k <= height;
    if (!inside) this.go(this.centred(target, t.k), true);
  }

  private centred(box: Box, k: number): ViewTransform {
    const { width, height } = this.size();
    return { x: width / 2 - (box.x + box.width / 2) * k, y: height / 2 - (box.y + box.height / 2) * k, k };
  }

  private go(transform: ViewTransform, animate: boolean): void {
    const target = d3.zoomIdentity.translate(transform.x, transform.y).scale(transform.k);
    if (animate) this.animated().call(this.zoom.transform, target);
    else this.svg.call(this.zoom.transform, target);
  }

  /** A view transition; `data-moving` marks the svg while it runs, for whoever waits for it to settle. */
  private animated() {
    this.svg.attr('data-moving', 'true');
    return this.svg.transition().duration(ANIMATION_MS).on('end interrupt', () => this.svg.attr('data-moving', null));
  }

  private size(): { width: number; height: number } {
    const rect = this.svg.node()!.getBoundingClientRect();
    return { width: rect.width, height: rect.height };
  }
}
