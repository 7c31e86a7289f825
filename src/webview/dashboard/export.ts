/**
 * The dashboard's curves for a report: the epochs as CSV (the numbers behind the charts), and the
 * charts stacked in one standalone SVG (styles inlined, as the diagram's export does) or a PNG.
 */
import { inlined } from '../architecture/export';
import type { RunModel } from './run-model';

const SVG = 'http://www.w3.org/2000/svg';

export function epochsCsv(run: RunModel): string {
  const header = 'epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds';
  const cell = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : String(v));
  const rows = [...run.epochs].sort((a, b) => a.epoch - b.epoch)
    .map((e) => [e.epoch, e.loss, e.accuracy, e.valLoss, e.valAccuracy, e.learningRate, e.seconds].map(cell).join(','));
  return `${[header, ...rows].join('\n')}\n`;
}

/** The chart SVGs one under the other, with their titles, on the theme's background. */
export function chartsSvg(charts: HTMLElement): { text: string; width: number; height: number } {
  const figures = [...charts.querySelectorAll('figure')];
  const out = document.createElementNS(SVG, 'svg');
  out.setAttribute('xmlns', SVG);
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', getComputedStyle(document.body).backgroundColor);
  out.append(background);
  let y = 0;
  let width = 0;
  for (const figure of figures) {
    const svg = figure.querySelector('svg');
    if (!svg) continue;
    const title = document.createElementNS(SVG, 'text');
    title.setAttribute('x', '8');
    title.setAttribute('y', String(y + 16));
    title.setAttribute('font-family', getComputedStyle(document.body).fontFamily);
    title.setAttribute('font-size', '13');
    title.setAttribute('fill', getComputedStyle(document.body).color);
    title.textContent = figure.querySelector('figcaption')?.textContent ?? '';
    const chart = inlined(svg);
    const height = Number(svg.getAttribute('height'));
    chart.setAttribute('y', String(y + 22));
    out.append(title, chart);
    y += 22 + height + 8;
    width = Math.max(width, Number(svg.getAttribute('width')));
  }
  out.setAttribute('width', String(width));
  out.setAttribute('height', String(y));
  out.setAttribute('viewBox', `0 0 ${width} ${y}`);
  return { text: new XMLSerializer().serializeToString(out), width, height: y };
}
