/** The gradient-flow events of a run as a layer × time table of one measure: what the view draws. */
import type { GradientFlowEvent, GradientFlowLayer } from '../../protocol/engine';
import type { GradientFlowMetric } from '../../protocol/webview';

export interface FlowLayer {
  name: string;
  line: number;
}

export interface FlowTable {
  /** In source order, as the engine sent them. */
  layers: FlowLayer[];
  /** The recorded steps, ascending. */
  steps: number[];
  /** values[layer][time]; undefined where the layer has no such measure (a relu's gradient). */
  values: (number | undefined)[][];
}

export const METRIC_LABELS: Record<GradientFlowMetric, string> = {
  gradientNorm: 'Gradient norm ‖∇W‖',
  updateRatio: 'Update / weight ‖ΔW‖ / ‖W‖',
  weightNorm: 'Weight norm ‖W‖',
  deadFraction: 'Dead relu units (share)',
};

/** In the order the view offers them. */
export const GRADIENT_FLOW_METRICS = Object.keys(METRIC_LABELS) as GradientFlowMetric[];

/** Shares are drawn on a linear scale from 0 to 1; norms and ratios span decades, on a log scale. */
export function isLogMetric(metric: GradientFlowMetric): boolean {
  return metric !== 'deadFraction';
}

export function measure(layer: GradientFlowLayer, metric: GradientFlowMetric): number | undefined {
  const value = layer[metric];
  return value === undefined || Number.isNaN(value) ? undefined : value;
}

export function flowTable(events: readonly GradientFlowEvent[], metric: GradientFlowMetric): FlowTable {
  const sorted = [...events].sort((a, b) => a.step - b.step);
  const layers: FlowLayer[] = [];
  const rowOf = new Map<string, number>();
  for (const event of sorted) {
    for (const layer of event.layers) {
      if (rowOf.has(layer.name)) continue;
      rowOf.set(layer.name, layers.length);
      layers.push({ name: layer.name, line: layer.line });
    }
  }
  const values = layers.map(() => sorted.map((): number | undefined => undefined));
  sorted.forEach((event, t) => {
    for (const layer of event.layers) values[rowOf.get(layer.name)!]![t] = measure(layer, metric);
  });
  // Rows with nothing to show for this measure (a standalone relu's gradient) are left out.
  const kept = layers.map((_, r) => r).filter((r) => values[r]!.some((v) => v !== undefined));
  return { layers: kept.map((r) => layers[r]!), steps: sorted.map((e) => e.step), values: kept.map((r) => values[r]!) };
}

/** The colour domain shared by every table drawn: positive finite values on a log scale. */
export function valueDomain(tables: readonly FlowTable[], metric: GradientFlowMetric): [number, number] {
  if (!isLogMetric(metric)) return [0, 1];
  let low = Infinity;
  let high = -Infinity;
  for (const table of tables) {
    for (const row of table.values) {
      for (const v of row) {
        if (v === undefined || !(v > 0) || !Number.isFinite(v)) continue;
        low = Math.min(low, v);
        high = Math.max(high, v);
      }
    }
  }
  if (low === Infinity) return [1e-8, 1];
  return low === high ? [low / 10, high * 10] : [low, high];
}

/** The column at or before a step (the cursor's time), or the last. */
export function columnAt(table: FlowTable, step: number | undefined): number {
  if (step === undefined) return table.steps.length - 1;
  let column = 0;
  table.steps.forEach((s, i) => {
    if (s <= step) column = i;
  });
  return column;
}
