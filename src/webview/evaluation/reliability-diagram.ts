import * as d3 from 'd3';
import type { EvaluationReport } from '../../protocol/evaluation';
import { element } from '../shared/dom';
import { formatInteger, formatPercent } from '../shared/format';
import type { Tooltip } from '../shared/tooltip';
import { calibrationGap, reliabilityBars, type ReliabilityBar } from './reliability';

const MARGIN = { top: 10, right: 16, bottom: 40, left: 52 };
const HEIGHT = 300;
const MAX_WIDTH = 560;

/**
 * The reliability diagram (Guo et al. 2017): accuracy against confidence per bin, before and
 * after temperature scaling, with the diagonal a perfectly calibrated model would follow.
 */
export class ReliabilityDiagram {
  readonly root = element('figure', 'reliability');
  private readonly legend = element('div', 'chart-legend');
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private calibration: EvaluationReport['calibration'] | undefined;

  constructor(parent: HTMLElement, private readonly tooltip: Tooltip) {
    this.root.append(this.legend);
    this.svg = d3.select(this.root).append('svg').attr('class', 'reliability-diagram').attr('height', HEIGHT).attr('role', 'img');
    parent.append(this.root);
    new ResizeObserver(() => this.draw()).observe(parent);
  }

  update(calibration: EvaluationReport['calibration']): void {
    this.calibration = calibration;
    this.draw();
  }

  private draw(): void {
    const calibration = this.calibration;
    this.svg.selectChildren().remove();
    if (!calibration) return;
    const before = calibration.before.bins;
    const temperature = `T = ${calibration.temperature.toFixed(2)}`;
    this.legend.replaceChildren(
      ...(before ? [legendItem('before', 'before scaling (T = 1)')] : []),
      legendItem('after', before ? `after scaling (${temperature})` : `accuracy per bin (${temperature})`),
      legendItem('diagonal', 'perfectly calibrated'),
    );
    const width = Math.max(260, Math.min(MAX_WIDTH, this.root.parentElement?.clientWidth ?? MAX_WIDTH));
    const svg = this.svg.attr('width', width).attr('viewBox', `0 0 ${width} ${HEIGHT}`)
      .attr('aria-label', `Reliability diagram: accuracy against confidence, ECE ${formatPercent(calibration.before.ece)} before and ${formatPercent(calibration.after.ece)} after temperature scaling`);
    const x = d3.scaleLinear().domain([0, 1]).range([MARGIN.left, width - MARGIN.right]);
    const y = d3.scaleLinear().domain([0, 1]).range([HEIGHT - MARGIN.bottom, MARGIN.top]);
    const percent = (v: d3.NumberValue) => formatPercent(Number(v), 0);
    svg.append('g').attr('class', 'grid').attr('transform', `translate(${MARGIN.left},0)`)
      .call(d3.axisLeft(y).ticks(5).tickSize(-(width - MARGIN.left - MARGIN.right)).tickFormat(() => ''));
    svg.append('g').attr('class', 'axis x-axis').attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`).call(d3.axisBottom(x).ticks(5).tickFormat(percent));
    svg.append('g').attr('class', 'axis y-axis').attr('transform', `translate(${MARGIN.left},0)`).call(d3.axisLeft(y).ticks(5).tickFormat(percent));
    svg.append('text').attr('class', 'axis-label').attr('x', (MARGIN.left + width - MARGIN.right) / 2).attr('y', HEIGHT - 6).attr('text-anchor', 'middle').text('confidence (probability of the predicted class)');
    svg.append('text').attr('class', 'axis-label').attr('transform', `translate(12,${(HEIGHT - MARGIN.bottom + MARGIN.top) / 2}) rotate(-90)`).attr('text-anchor', 'middle').text('accuracy');

    const bars = reliabilityBars(calibration.bins, before);
    svg.append('g').attr('class', 'bars').selectAll<SVGRectElement, ReliabilityBar>('rect').data(bars).join('rect')
      .attr('class', (d) => `bar bar-${d.series}`).attr('data-series', (d) => d.series)
      .attr('x', (d) => x(d.x0) + 0.5).attr('width', (d) => Math.max(1, x(d.x1) - x(d.x0) - 1))
      .attr('y', (d) => y(d.bin.accuracy)).attr('height', (d) => y(0) - y(d.bin.accuracy))
      .on('mouseenter', (event: MouseEvent, d) => this.tooltip.show(event, `${d.series === 'before' ? 'Before' : 'After'} scaling: confidence ${formatPercent(d.bin.lower, 0)}–${formatPercent(d.bin.upper, 0)}`, describe(d)))
      .on('mousemove', (event: MouseEvent) => this.tooltip.move(event))
      .on('mouseleave', () => this.tooltip.hide());
    svg.append('line').attr('class', 'diagonal').attr('x1', x(0)).attr('y1', y(0)).attr('x2', x(1)).attr('y2', y(1));
  }
}

function describe(bar: ReliabilityBar): string[] {
  const gap = calibrationGap(bar.bin);
  return [
    `${formatInteger(bar.bin.count)} examples`,
    `mean confidence ${formatPercent(bar.bin.confidence, 1)}`,
    `accuracy ${formatPercent(bar.bin.accuracy, 1)}`,
    `${gap < 0 ? 'over' : 'under'}-confident by ${(Math.abs(gap) * 100).toFixed(1)} points`,
  ];
}

function legendItem(kind: 'before' | 'after' | 'diagonal', text: string): HTMLElement {
  const item = element('span', `chart-legend-item legend-${kind}`);
  item.append(element('span', `legend-swatch swatch-${kind}`), document.createTextNode(text));
  return item;
}
