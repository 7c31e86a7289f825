import * as d3 from 'd3';
import { element } from '../shared/dom';
import { yDomain } from './y-domain';

export interface ChartPoint {
  x: number;
  y: number;
}

/**
 * epoch: a line with a dot per epoch; batch: a thin line between them; overlay: an earlier run,
 * thin and dashed; step: a value that holds until it changes (the learning rate).
 */
export type SeriesStyle = 'epoch' | 'batch' | 'overlay' | 'overlay-validation' | 'step';

export interface ChartSeries {
  key: string;
  label: string;
  /** A CSS colour, usually a theme variable: var(--vscode-charts-blue). */
  colour: string;
  style: SeriesStyle;
  points: ChartPoint[];
}

export interface ChartOptions {
  title: string;
  /** A value as a point's title shows it. */
  format: (y: number) => string;
  /** A value on the y axis, where ticks are round numbers; `format` when absent. */
  tickFormat?: (y: number) => string;
  /** The y range always shown (accuracy: up to 1), widened to fit the data. */
  yInclude?: number[];
  /** Whether to list the series under the title (overlays have their own legend). */
  legend?: (series: ChartSeries) => boolean;
}

/** A moment to mark across the chart: where fine-tuning starts. */
export interface ChartMarker {
  x: number;
  label: string;
}

const MARGIN = { top: 8, right: 16, bottom: 30, left: 56 };
const HEIGHT = 220;

/** A D3 line chart against epochs, redrawn whole on each update: a few series of at most hundreds of points. */
export class LineChart {
  readonly root = element('figure', 'chart');
  private readonly legend = element('div', 'chart-legend');
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private last: { series: ChartSeries[]; epochs: number; markers: ChartMarker[] } = { series: [], epochs: 1, markers: [] };

  constructor(parent: HTMLElement, private readonly options: ChartOptions) {
    const caption = element('figcaption', 'chart-title', options.title);
    this.root.append(caption, this.legend);
    this.svg = d3.select(this.root).append('svg').attr('class', 'chart-svg').attr('height', HEIGHT);
    parent.append(this.root);
    new ResizeObserver(() => this.draw()).observe(this.root);
  }

  update(series: ChartSeries[], epochs: number, markers: ChartMarker[] = []): void {
    this.last = { series, epochs: Math.max(1, epochs), markers };
    this.draw();
  }

  private draw(): void {
    const { series, epochs, markers } = this.last;
    const width = Math.max(200, this.root.clientWidth);
    const svg = this.svg.attr('width', width).attr('viewBox', `0 0 ${width} ${HEIGHT}`);
    svg.selectChildren().remove();
    this.drawLegend(series);
    const x = d3.scaleLinear().domain([0, epochs]).range([MARGIN.left, width - MARGIN.right]);
    const y = d3.scaleLinear().domain(yDomain(series.flatMap((s) => s.points.map((p) => p.y)), this.options.yInclude)).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]);

    svg.append('g').attr('class', 'axis x-axis').attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`)
      .call(d3.axisBottom(x).ticks(Math.min(epochs, 10)).tickFormat(d3.format('d')));
    svg.append('text').attr('class', 'axis-label').attr('x', width - MARGIN.right).attr('y', HEIGHT - 2).attr('text-anchor', 'end').text('epoch');
    svg.append('g').attr('class', 'axis y-axis').attr('transform', `translate(${MARGIN.left},0)`)
      .call(d3.axisLeft(y).ticks(5).tickFormat((v) => (this.options.tickFormat ?? this.options.format)(Number(v))));
    svg.append('g').attr('class', 'grid').attr('transform', `translate(${MARGIN.left},0)`)
      .call(d3.axisLeft(y).ticks(5).tickSize(-(width - MARGIN.left - MARGIN.right)).tickFormat(() => ''));

    const marks = svg.append('g').attr('class', 'markers').selectAll('g').data(markers).join('g')
      .attr('class', 'stage-marker').attr('transform', (m) => `translate(${x(m.x)},0)`);
    marks.append('line').attr('y1', MARGIN.top).attr('y2', HEIGHT - MARGIN.bottom);
    marks.append('text').attr('x', 4).attr('y', MARGIN.top + 10).text((m) => m.label);

    for (const s of series) {
      const line = d3.line<ChartPoint>().x((p) => x(p.x)).y((p) => y(p.y)).curve(s.style === 'step' ? d3.curveStepAfter : d3.curveLinear);
      svg.append('path').datum(s.points)
        .attr('class', `series series-${s.style}`)
        .attr('data-series', s.key)
        .attr('d', line)
        .style('stroke', s.colour);
      if (s.style !== 'epoch') continue;
      svg.append('g').attr('class', 'points').attr('data-series', s.key)
        .selectAll('circle').data(s.points).join('circle')
        .attr('class', 'point')
        .attr('cx', (p) => x(p.x)).attr('cy', (p) => y(p.y)).attr('r', 3.5)
        .style('fill', s.colour)
        .append('title').text((p) => `${s.label}, epoch ${p.x}: ${this.options.format(p.y)}`);
    }
  }

  private drawLegend(series: ChartSeries[]): void {
    const shown = series.filter((s) => s.points.length > 0 && (this.options.legend?.(s) ?? true));
    this.legend.replaceChildren(...shown.map((s) => {
      const item = element('span', `chart-legend-item legend-${s.style}`);
      const swatch = element('span', 'chart-legend-swatch');
      swatch.style.borderColor = s.colour;
      item.append(swatch, document.createTextNode(s.label));
      return item;
    }));
  }
}
