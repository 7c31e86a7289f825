import * as d3 from 'd3';
import { element } from '../shared/dom';
import { formatInteger, formatPercent } from '../shared/format';
import type { Tooltip } from '../shared/tooltip';
import { cellFill, cellSize, COUNT_FITS, matrixCells, STRONG_SHARE, type MatrixCell } from './matrix';

/** Approximate width of a character of the 11–12 px labels, for margins without measuring text. */
const CHAR_WIDTH = 6.6;
const AXIS_TITLE = 18;
/** Room on the right for each row's example count. */
const TOTAL_COLUMN = 56;

/**
 * The confusion matrix in D3: rows are true classes, columns predicted ones, class names on both
 * axes, each row's example count at its end. Redrawn whole when the width changes.
 */
export class ConfusionMatrix {
  readonly root = element('figure', 'confusion');
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private data: { confusion: number[][]; classes: string[] } = { confusion: [], classes: [] };

  constructor(parent: HTMLElement, private readonly tooltip: Tooltip) {
    this.svg = d3.select(this.root).append('svg').attr('class', 'confusion-matrix').attr('role', 'img');
    parent.append(this.root);
    new ResizeObserver(() => this.draw()).observe(parent);
  }

  update(confusion: number[][], classes: string[]): void {
    this.data = { confusion, classes };
    this.draw();
  }

  private draw(): void {
    const { confusion, classes } = this.data;
    const svg = this.svg;
    svg.selectChildren().remove();
    if (classes.length === 0) return;
    const longest = Math.min(160, Math.max(...classes.map((c) => c.length)) * CHAR_WIDTH + 8);
    const left = AXIS_TITLE + longest;
    const available = Math.max(120, (this.root.parentElement?.clientWidth ?? 600) - left - TOTAL_COLUMN - 8);
    const size = cellSize(classes.length, Math.min(available, 720));
    // Column labels lie flat when they fit a cell, else slant so long names do not collide.
    const slanted = longest > size;
    const top = AXIS_TITLE + (slanted ? longest * 0.72 + 6 : 18);
    const side = size * classes.length;
    const width = left + side + TOTAL_COLUMN;
    const height = top + side + 4;
    svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`)
      .attr('aria-label', `Confusion matrix of ${classes.length} classes: rows are true classes, columns predicted ones`);

    svg.append('text').attr('class', 'axis-title').attr('x', left + side / 2).attr('y', 12).attr('text-anchor', 'middle').text('predicted class');
    svg.append('text').attr('class', 'axis-title').attr('transform', `translate(12,${top + side / 2}) rotate(-90)`).attr('text-anchor', 'middle').text('true class');

    const columns = svg.append('g').attr('class', 'column-labels');
    classes.forEach((name, c) => {
      const x = left + c * size + size / 2;
      const label = columns.append('text').attr('class', 'class-label').attr('data-column', c).text(name);
      if (slanted) label.attr('transform', `translate(${x},${top - 6}) rotate(-45)`).attr('text-anchor', 'start');
      else label.attr('x', x).attr('y', top - 6).attr('text-anchor', 'middle');
    });
    const rows = svg.append('g').attr('class', 'row-labels');
    const totals = confusion.map((row) => row.reduce((a, b) => a + b, 0));
    classes.forEach((name, r) => {
      const y = top + r * size + size / 2;
      rows.append('text').attr('class', 'class-label').attr('data-row', r).attr('x', left - 6).attr('y', y).attr('dy', '0.35em').attr('text-anchor', 'end').text(name);
      rows.append('text').attr('class', 'row-total').attr('x', left + side + 6).attr('y', y).attr('dy', '0.35em').text(`n ${formatInteger(totals[r] ?? 0)}`);
    });

    const cells = svg.append('g').attr('class', 'cells').selectAll<SVGGElement, MatrixCell>('g.cell').data(matrixCells(confusion)).join('g')
      .attr('class', (d) => `cell ${d.correct ? 'cell-correct' : 'cell-mistake'}${d.share > STRONG_SHARE ? ' cell-strong' : ''}`)
      .attr('data-row', (d) => d.row).attr('data-column', (d) => d.column).attr('data-count', (d) => d.count)
      .attr('transform', (d) => `translate(${left + d.column * size},${top + d.row * size})`);
    cells.append('rect').attr('width', size - 1).attr('height', size - 1).attr('rx', 2).style('fill', (d) => cellFill(d));
    if (size >= COUNT_FITS) {
      cells.append('text').attr('class', 'cell-count').attr('x', (size - 1) / 2).attr('y', (size - 1) / 2).attr('dy', '0.35em').attr('text-anchor', 'middle')
        .style('font-size', `${Math.min(14, Math.max(10, size / 3.2))}px`).text((d) => formatInteger(d.count));
    }
    cells
      .on('mouseenter', (event: MouseEvent, d) => this.tooltip.show(event, `${classes[d.row]} → ${classes[d.column]}`, describe(d, classes, totals)))
      .on('mousemove', (event: MouseEvent) => this.tooltip.move(event))
      .on('mouseleave', () => this.tooltip.hide());
  }
}

function describe(cell: MatrixCell, classes: string[], totals: number[]): string[] {
  const name = classes[cell.row]!;
  const total = totals[cell.row] ?? 0;
  const what = cell.correct ? `correctly predicted ${name}` : `true ${name}, predicted ${classes[cell.column]}`;
  return [`${formatInteger(cell.count)} examples: ${what}`, `${formatPercent(cell.share, 1)} of the ${formatInteger(total)} ${name} examples`];
}
