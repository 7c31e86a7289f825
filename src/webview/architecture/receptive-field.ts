import type { GraphJson, GraphNodeJson } from '../../protocol/graph';
import type { SampleInput } from '../../protocol/sample-input';
import { element } from '../shared/dom';
import { formatShape } from '../shared/format';
import { samplePictureUrl } from './sample-picture';

const SVG = 'http://www.w3.org/2000/svg';
/** The inset draws the input at most this many screen pixels on its longer side. */
const MAX_SIDE = 224;
/** Grid lines are drawn every 2^k input pixels, the first such step at least this many screen pixels apart. */
const MIN_GRID_GAP = 6;

interface Rect { x: number; y: number; width: number; height: number }

/**
 * Where a layer's receptive field lies on an input of `input` = [h, w] pixels, in input pixels:
 * the field of the output unit at the input's centre, and the field of its right-hand neighbour,
 * `jump` pixels further on. `scale` is screen pixels per input pixel: a whole number while the
 * input fits (so each pixel stays square), the input's own size at 224 and above.
 */
export function fieldGeometry(input: [number, number], field: [number, number], jump: [number, number]): { scale: number; centre: Rect; neighbour: Rect } {
  const [h, w] = input;
  const longer = Math.max(h, w);
  const scale = longer <= MAX_SIDE ? Math.floor(MAX_SIDE / longer) : MAX_SIDE / longer;
  const y = Math.floor((h - field[0]) / 2);
  const x = Math.floor((w - field[1]) / 2);
  return {
    scale,
    centre: { x, y, width: field[1], height: field[0] },
    neighbour: { x: x + jump[1], y, width: field[1], height: field[0] },
  };
}

/** The grid step in input pixels: the smallest power of two drawn at least MIN_GRID_GAP screen pixels apart. */
export function gridStep(scale: number): number {
  let step = 1;
  while (step * scale < MIN_GRID_GAP) step *= 2;
  return step;
}

/**
 * The inset that answers "what does this layer see?": the model's input at true scale (an example
 * of its dataset where the engine could read one, else a neutral grid of its size), with the
 * hovered layer's receptive field shaded on it and the next unit's field outlined, so the jump
 * between neighbouring outputs shows as well.
 */
export class ReceptiveFieldInset {
  readonly root: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly caption: HTMLElement;
  private input: [number, number] | undefined;
  private layer: GraphNodeJson | undefined;
  private model: string | undefined;
  /** The engine's answer for this model: a picture (its data URL made once) or why there is none. */
  private sample: { picture?: { url: string; size: [number, number]; note: string }; reason?: string } | undefined;

  constructor() {
    // A <details>, as the legend is, so it folds away where it covers part of the diagram.
    const box = element('details', 'receptive-field');
    box.open = true;
    box.hidden = true;
    box.append(element('summary', 'rf-summary', 'Receptive field'));
    this.root = box;
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('class', 'rf-input');
    this.svg.setAttribute('role', 'img');
    this.caption = element('div', 'rf-caption');
    this.root.append(this.svg, this.caption);
  }

  /** A new graph: its first input's size, or no inset where the input is not an image. */
  setGraph(graph: GraphJson): void {
    const shape = graph.nodes.find((n) => n.op === 'input')?.outputShape;
    const input: [number, number] | undefined = shape && shape.length === 3 ? [shape[0]!, shape[1]!] : undefined;
    const changed = input?.[0] !== this.input?.[0] || input?.[1] !== this.input?.[1] || graph.model !== this.model;
    // Another model's sample is not this one's input: the host sends the new model's.
    if (graph.model !== this.model) this.sample = undefined;
    this.model = graph.model;
    this.input = input;
    this.root.hidden = input === undefined;
    if (changed && input) this.show(undefined);
  }

  /** The model's sample input arrived: drawn under the field from now on, or its absence explained. */
  setSample(sample: SampleInput): void {
    if (!sample.available) this.sample = { reason: sample.reason };
    else {
      const [h = 0, w = 0] = sample.pixels.shape;
      const note = `Sample: ${sample.dataset} test example ${sample.index}, labelled ${sample.label.name}.`;
      this.sample = { picture: { url: samplePictureUrl(sample.pixels), size: [h, w], note } };
    }
    this.show(this.layer);
  }

  /** Shades `layer`'s field; undefined shows the bare input. */
  show(layer: GraphNodeJson | undefined): void {
    this.layer = layer;
    const input = this.input;
    if (!input) return;
    const { scale, centre, neighbour } = fieldGeometry(input, layer?.receptiveField ?? [1, 1], layer?.jump ?? [1, 1]);
    const [h, w] = input;
    this.svg.setAttribute('width', String(w * scale));
    this.svg.setAttribute('height', String(h * scale));
    this.svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
    this.svg.setAttribute('aria-label', `the ${w}×${h} input${layer ? ` with ${layer.name}'s receptive field` : ''}`);
    const picture = this.sample?.picture;
    const fits = picture !== undefined && picture.size[0] === h && picture.size[1] === w;
    this.svg.replaceChildren(...(fits ? this.samplePicture(w, h, picture.url) : this.inputPicture(w, h, scale)));
    this.root.dataset.scale = String(scale);
    this.root.dataset.sample = fits ? 'shown' : this.sample ? 'absent' : 'waiting';
    const sampleNote = fits ? ` ${picture.note}` : picture ? ` (The sample is ${picture.size[1]}×${picture.size[0]}, not the input's size.)` : this.sample?.reason ? ` No sample image: ${this.sample.reason}.` : '';
    if (!layer) {
      delete this.root.dataset.layer;
      this.caption.textContent = `Input ${w}×${h} at ${scaleText(scale)}. Hover a layer to shade what one of its units sees.${sampleNote}`;
      return;
    }
    this.root.dataset.layer = layer.name;
    const clip = this.element('clipPath', { id: 'rf-clip' });
    clip.append(this.element('rect', { x: '0', y: '0', width: String(w), height: String(h) }));
    const fields = this.element('g', { 'clip-path': 'url(#rf-clip)' });
    fields.append(
      this.fieldRect(neighbour, 'rf-neighbour', layer.receptiveField, layer.jump),
      this.fieldRect(centre, 'rf-field', layer.receptiveField, layer.jump),
    );
    this.svg.append(clip, fields);
    const [fh, fw] = layer.receptiveField;
    const [jh, jw] = layer.jump;
    const beyond = fh > h || fw > w ? ` It is wider than the input: its edges see padding.` : '';
    this.caption.textContent = `${layer.name} (${formatShape(layer.outputShape)}): receptive field ${fh}×${fw} px, `
      + `jump ${jh === jw ? jh : `${jh}×${jw}`} px (the dashed field is the next unit's) · input ${w}×${h} at ${scaleText(scale)}.${beyond}${sampleNote}`;
  }

  /** The dataset example, one image pixel to one input pixel, its pixels kept sharp when enlarged. */
  private samplePicture(w: number, h: number, url: string): SVGElement[] {
    const image = this.element('image', { class: 'rf-sample', x: '0', y: '0', width: String(w), height: String(h), preserveAspectRatio: 'none', href: url });
    return [
      this.element('rect', { class: 'rf-canvas', x: '0', y: '0', width: String(w), height: String(h), 'vector-effect': 'non-scaling-stroke' }),
      image,
      this.element('rect', { class: 'rf-frame', x: '0', y: '0', width: String(w), height: String(h), 'vector-effect': 'non-scaling-stroke' }),
    ];
  }

  /** The neutral stand-in for a sample image: the input's extent with a grid of its pixels. */
  private inputPicture(w: number, h: number, scale: number): SVGElement[] {
    const step = gridStep(scale);
    const lines: string[] = [];
    for (let x = step; x < w; x += step) lines.push(`M${x},0V${h}`);
    for (let y = step; y < h; y += step) lines.push(`M0,${y}H${w}`);
    return [
      this.element('rect', { class: 'rf-canvas', x: '0', y: '0', width: String(w), height: String(h), 'vector-effect': 'non-scaling-stroke' }),
      this.element('path', { class: 'rf-grid', d: lines.join(''), 'vector-effect': 'non-scaling-stroke' }),
    ];
  }

  private fieldRect(rect: Rect, className: string, field: [number, number], jump: [number, number]): SVGElement {
    return this.element('rect', {
      class: className, x: String(rect.x), y: String(rect.y), width: String(rect.width), height: String(rect.height),
      'data-field': `${field[0]}x${field[1]}`, 'data-jump': `${jump[0]}x${jump[1]}`, 'vector-effect': 'non-scaling-stroke',
    });
  }

  private element(tag: string, attributes: Record<string, string>): SVGElement {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  }
}

function scaleText(scale: number): string {
  if (scale === 1) return 'true scale (1 screen px a pixel)';
  return Number.isInteger(scale) ? `${scale} screen px a pixel (true proportions)` : `${scale.toFixed(2)} screen px a pixel (scaled down to fit, true proportions)`;
}
