/**
 * Export of the diagram as a standalone SVG (every style inlined, so it renders the same outside
 * VS Code) and as a PNG drawn from that SVG. The host saves what the view posts.
 */

const SVG = 'http://www.w3.org/2000/svg';
const MARGIN = 16;
/** Browsers refuse canvases much larger than this on a side. */
const MAX_PNG_SIDE = 16384;

/** Computed properties that carry the theme into the exported file. */
const INLINED = [
  'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'opacity',
  'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline', 'display',
] as const;

export function exportSvg(svg: SVGSVGElement, canvas: SVGGElement): { text: string; width: number; height: number } {
  const bounds = canvas.getBBox();
  const width = Math.ceil(bounds.width + 2 * MARGIN);
  const height = Math.ceil(bounds.height + 2 * MARGIN);
  const out = document.createElementNS(SVG, 'svg');
  out.setAttribute('xmlns', SVG);
  out.setAttribute('width', String(width));
  out.setAttribute('height', String(height));
  out.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', getComputedStyle(document.body).backgroundColor);
  out.append(background);
  const defs = svg.querySelector('defs');
  if (defs) out.append(inlined(defs));
  const content = inlined(canvas);
  content.setAttribute('transform', `translate(${MARGIN - bounds.x},${MARGIN - bounds.y})`);
  out.append(content);
  return { text: new XMLSerializer().serializeToString(out), width, height };
}

export async function exportPng(svg: { text: string; width: number; height: number }): Promise<string> {
  const scale = Math.min(2, MAX_PNG_SIDE / Math.max(svg.width, svg.height));
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg.text)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(svg.width * scale);
  canvas.height = Math.round(svg.height * scale);
  const context = canvas.getContext('2d')!;
  context.scale(scale, scale);
  context.drawImage(image, 0, 0, svg.width, svg.height);
  return canvas.toDataURL('image/png');
}

/** A deep clone of `source` with each element's computed style written as attributes. */
export function inlined<T extends Element>(source: T): T {
  const copy = source.cloneNode(true) as T;
  const originals = [source, ...source.querySelectorAll('*')];
  const copies = [copy, ...copy.querySelectorAll('*')];
  originals.forEach((original, i) => {
    const target = copies[i]!;
    const style = getComputedStyle(original);
    for (const property of INLINED) {
      const value = style.getPropertyValue(property);
      if (value) target.setAttribute(property, value);
    }
    // Interaction attributes mean nothing in a file.
    for (const name of ['class', 'tabindex', 'role']) target.removeAttribute(name);
  });
  return copy;
}
