import type { ChartSeries } from './line-chart';
import type { RunHistory } from '../../protocol/webview';
import { runFromHistory, type RunModel } from './run-model';
import { smoothedBatches } from './smoothing';

/** What each chart plots, from the current run and the earlier runs overlaid on it. */

export const TRAIN_COLOUR = 'var(--vscode-charts-blue)';
export const VALIDATION_COLOUR = 'var(--vscode-charts-orange)';
export const LEARNING_RATE_COLOUR = 'var(--vscode-charts-green)';
/** Earlier runs take these in turn; the current run's blue and orange are never among them. */
export const OVERLAY_COLOURS = ['var(--vscode-charts-purple)', 'var(--vscode-charts-yellow)', 'var(--vscode-charts-red)', 'var(--vscode-charts-green)', 'var(--vscode-charts-foreground)'];

export interface Overlay {
  run: RunModel;
  colour: string;
  visible: boolean;
}

/**
 * Earlier runs as overlays, hidden unless the view had them shown before a reload: one bad earlier
 * run (a validation loss of 4e7) would otherwise set the scale and flatten the current curves.
 */
export function overlaysOf(runs: readonly RunHistory[], currentRunDir: string | undefined, shownBefore: readonly string[] | undefined): Overlay[] {
  return runs.filter((h) => h.runDir !== currentRunDir).map((history, i) => ({
    run: runFromHistory(history),
    colour: OVERLAY_COLOURS[i % OVERLAY_COLOURS.length]!,
    visible: shownBefore?.includes(history.runDir) ?? false,
  }));
}

type Metric = 'loss' | 'accuracy';

export function metricSeries(run: RunModel | undefined, overlays: readonly Overlay[], metric: Metric): ChartSeries[] {
  const series: ChartSeries[] = [];
  for (const overlay of overlays.filter((o) => o.visible)) {
    const { run: earlier, colour } = overlay;
    series.push(
      { key: `overlay:${earlier.runDir}:train`, label: `${earlier.name} training`, colour, style: 'overlay', points: trainPoints(earlier, metric) },
      { key: `overlay:${earlier.runDir}:validation`, label: `${earlier.name} validation`, colour, style: 'overlay-validation', points: validationPoints(earlier, metric) },
    );
  }
  if (!run) return series;
  const smoothed = smoothedBatches(run.batches);
  series.push(
    { key: `batch-${metric}`, label: 'training, per batch (smoothed)', colour: TRAIN_COLOUR, style: 'batch', points: smoothed.map((p) => ({ x: p.x, y: p[metric] })) },
    { key: `train-${metric}`, label: 'training', colour: TRAIN_COLOUR, style: 'epoch', points: trainPoints(run, metric) },
    { key: `validation-${metric}`, label: 'validation', colour: VALIDATION_COLOUR, style: 'epoch', points: validationPoints(run, metric) },
  );
  return series;
}

export function learningRateSeries(run: RunModel | undefined): ChartSeries[] {
  if (!run) return [];
  return [{ key: 'learning-rate', label: 'learning rate', colour: LEARNING_RATE_COLOUR, style: 'step', points: run.learningRates }];
}

/** How many epochs the x axis spans: the planned epochs of every run shown. */
export function epochSpan(run: RunModel | undefined, overlays: readonly Overlay[]): number {
  const spans = overlays.filter((o) => o.visible).map((o) => o.run.epochs.length);
  if (run) spans.push(run.progress?.epochs ?? run.start?.epochs ?? run.epochs.length);
  return Math.max(1, ...spans);
}

function trainPoints(run: RunModel, metric: Metric) {
  return run.epochs.map((e) => ({ x: e.epoch, y: e[metric] }));
}

function validationPoints(run: RunModel, metric: Metric) {
  const key = metric === 'loss' ? 'valLoss' : 'valAccuracy';
  return run.epochs.filter((e) => e[key] !== undefined).map((e) => ({ x: e.epoch, y: e[key]! }));
}
