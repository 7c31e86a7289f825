/**
 * One run's gradient flow: a layer × time heatmap (rows in source order, colour on a log scale
 * shared by every run shown) and beside it the layers' bars at the cursor's step.
 */
import * as d3 from 'd3';
import type { GradientFlowMetric } from '../../protocol/webview';
import { element } from '../shared/dom';
import { formatValue } from '../shared/format';
import type { Tooltip } from '../shared/tooltip';
import { columnAt, isLogMetric, METRIC_LABELS, type FlowTable } from './flow-data';

const ROW = 16;
const LABEL_WIDTH = 150;
const HEAT_WIDTH = 420;
const BAR_WIDTH = 260;
const TOP = 8;
const AXIS = 28;

export interface ChartHandlers {
  /** The cursor moved to a step (or left: undefined). */
  cursor(step: number | undefined): void;
  reveal(line: number): void;
}

export class RunFlowChart {
  readonly root = element('section', 'flow-run');
  private readonly heading = element('h2', 'flow-run-title');
  private readonly svg = d3.create('svg').attr('class', 'flow-chart');

  constructor(private readonly tooltip: Tooltip, private readonly handlers: ChartHandlers) {
    this.root.append(this.heading, this.svg.node()!);
  }

  render(title: string, table: FlowTable, metric: GradientFlowMetric, domain: [number, number], cursorStep: number | undefined): void {
    this.heading.textContent = title;
    const rows = table.layers.length;
    const columns = table.steps.length;
    const height = TOP + rows * ROW + AXIS;
    const width = LABEL_WIDTH + HEAT_WIDTH + 24 + BAR_WIDTH + 60;
    const svg = this.svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
    svg.selectAll('*').remove();
    if (rows === 0 || columns === 0) {
      svg.attr('height', 24).append('text').attr('class', 'flow-empty').attr('x', 0).attr('y', 16).text(columns === 0 ? 'No gradient flow recorded yet.' : `No layer has a ${METRIC_LABELS[metric].toLowerCase()}.`);
      return;
    }
    const colour = isLogMetric(metric) ? d3.scaleSequentialLog(d3.interpolateViridis).domain(domain) : d3.scaleSequential(d3.interpolateViridis).domain(domain);
    const fill = (v: number | undefined) => (v === undefined ? 'transparent' : isLogMetric(metric) && !(v > 0) ? colour(domain[0]) : colour(Math.min(Math.max(v, domain[0]), domain[1])));
    const x = d3.scaleBand<number>().domain(d3.range(columns)).range([LABEL_WIDTH, LABEL_WIDTH + HEAT_WIDTH]).paddingInner(0.04);
    const y = d3.scaleBand<number>().domain(d3.range(rows)).range([TOP, TOP + rows * ROW]).paddingInner(0.08);

    svg.append('g').attr('class', 'layer-labels').selectAll('text').data(table.layers).join('text')
      .attr('class', 'layer-label').attr('x', LABEL_WIDTH - 6).attr('y', (_, r) => y(r)! + y.bandwidth() / 2).attr('dy', '0.35em').attr('text-anchor', 'end')
      .attr('data-line', (l) => l.line).attr('data-layer', (l) => l.name).text((l) => l.name)
      .on('click', (_event, l) => this.handlers.reveal(l.line))
      .append('title').text((l) => `${l.name}, line ${l.line}: click to show it in the source`);

    const cells = table.values.flatMap((row, r) => row.map((v, t) => ({ r, t, v })));
    svg.append('g').attr('class', 'heatmap').selectAll('rect').data(cells).join('rect')
      .attr('class', 'cell').attr('x', (c) => x(c.t)!).attr('y', (c) => y(c.r)!).attr('width', x.bandwidth()).attr('height', y.bandwidth())
      .attr('fill', (c) => fill(c.v)).attr('data-layer', (c) => table.layers[c.r]!.name).attr('data-step', (c) => table.steps[c.t]!)
      .on('mousemove', (event: MouseEvent, c) => {
        this.handlers.cursor(table.steps[c.t]);
        this.tooltip.show(event, table.layers[c.r]!.name, [`step ${table.steps[c.t]}`, `${METRIC_LABELS[metric]}: ${c.v === undefined ? '—' : formatValue(c.v)}`]);
      })
      .on('mouseleave', () => this.tooltip.hide())
      .on('click', (_event, c) => this.handlers.reveal(table.layers[c.r]!.line));

    const column = columnAt(table, cursorStep);
    svg.append('rect').attr('class', 'cursor').attr('x', x(column)! - 1).attr('y', TOP - 2).attr('width', x.bandwidth() + 2).attr('height', rows * ROW + 4);
    const ticks = columns <= 8 ? d3.range(columns) : d3.range(0, columns, Math.ceil(columns / 8));
    svg.append('g').attr('class', 'step-axis').attr('transform', `translate(0,${TOP + rows * ROW + 4})`)
      .call(d3.axisBottom(x).tickValues(ticks).tickFormat((t) => String(table.steps[t as number])).tickSizeOuter(0));

    this.bars(svg, table, metric, domain, column, y, fill);
  }

  /** Each layer's value at the cursor's step: bar length on the heatmap's scale. */
  private bars(svg: d3.Selection<SVGSVGElement, undefined, null, undefined>, table: FlowTable, metric: GradientFlowMetric, domain: [number, number], column: number,
    y: d3.ScaleBand<number>, fill: (v: number | undefined) => string): void {
    const left = LABEL_WIDTH + HEAT_WIDTH + 24;
    const scale = isLogMetric(metric) ? d3.scaleLog().domain(domain).range([0, BAR_WIDTH]).clamp(true) : d3.scaleLinear().domain(domain).range([0, BAR_WIDTH]).clamp(true);
    const bars = table.values.map((row, r) => ({ r, v: row[column] }));
    const group = svg.append('g').attr('class', 'bars').attr('transform', `translate(${left},0)`);
    group.append('text').attr('class', 'bars-title').attr('x', 0).attr('y', TOP - 1).text(`step ${table.steps[column]}`);
    group.selectAll('rect').data(bars).join('rect')
      .attr('class', 'bar').attr('x', 0).attr('y', (b) => y(b.r)!).attr('height', y.bandwidth())
      .attr('width', (b) => (b.v === undefined || (isLogMetric(metric) && !(b.v > 0)) ? 0 : Math.max(1, scale(b.v))))
      .attr('fill', (b) => fill(b.v)).attr('data-layer', (b) => table.layers[b.r]!.name).attr('data-value', (b) => (b.v === undefined ? '' : String(b.v)))
      .on('click', (_event, b) => this.handlers.reveal(table.layers[b.r]!.line));
    group.selectAll('text.bar-value').data(bars).join('text')
      .attr('class', 'bar-value').attr('x', (b) => (b.v === undefined || !(b.v > 0) ? 0 : Math.max(1, scale(b.v))) + 4).attr('y', (b) => y(b.r)! + y.bandwidth() / 2).attr('dy', '0.35em')
      .text((b) => (b.v === undefined ? '' : formatValue(b.v)));
    group.append('g').attr('class', 'value-axis').attr('transform', `translate(0,${TOP + table.layers.length * ROW + 4})`)
      .call(isLogMetric(metric) ? d3.axisBottom(scale).ticks(3, '.0e') : d3.axisBottom(scale).ticks(3, '.0%'));
  }
}
