/**
 * The training dashboard: live loss, accuracy and learning-rate curves from the engine's events,
 * the run's facts, an over/underfitting verdict, earlier runs overlaid, and Cancel.
 */
import type { DashboardFromView, DashboardState, DashboardToView } from '../protocol/webview';
import { connectBridge } from './shared/bridge';
import { element } from './shared/dom';
import { formatDuration, formatInteger, formatPercent, formatValue } from './shared/format';
import { fitVerdict, type FitKind } from './shared/verdict';
import { renderCards } from './dashboard/cards';
import { LineChart, type ChartSeries } from './dashboard/line-chart';
import { exportPng } from './architecture/export';
import { chartsSvg, epochsCsv } from './dashboard/export';
import { renderOverlayLegend } from './dashboard/overlay-legend';
import { buildDashboardPage } from './dashboard/page';
import { applyEvent, runFromHistory, type RunModel } from './dashboard/run-model';
import { epochSpan, learningRateSeries, metricSeries, overlaysOf, type Overlay } from './dashboard/series';

const VERDICT_LABELS: Record<FitKind, string> = { collapsed: 'Collapsed to one class', overfitting: 'Overfitting', underfitting: 'Underfitting', 'good-fit': 'Good fit', undecided: 'Too early to tell' };

const bridge = connectBridge<DashboardToView, DashboardFromView, DashboardState>(['run', 'event', 'overlay']);
const page = buildDashboardPage();
const ownSeries = (s: ChartSeries) => !s.key.startsWith('overlay:');
const charts = {
  loss: new LineChart(page.charts, { title: 'Loss', format: formatValue, yInclude: [0], legend: ownSeries }),
  accuracy: new LineChart(page.charts, { title: 'Accuracy', format: (v) => formatPercent(v, 1), tickFormat: (v) => formatPercent(v, 0), yInclude: [0, 1], legend: ownSeries }),
  learningRate: new LineChart(page.charts, { title: 'Learning rate', format: formatValue, yInclude: [0] }),
};
let state: DashboardState | undefined = bridge.startState;
let run: RunModel | undefined;
let overlays: Overlay[] = [];
/** After a reload, which overlaid runs were shown: applied to the host's next overlay message. */
let restoredOverlay = state?.overlay;
let cancelling = false;
let frame: number | undefined;

page.evaluate.addEventListener('click', () => {
  if (run?.status === 'done') bridge.post({ type: 'evaluate', runDir: run.runDir });
});
page.gradientFlow.addEventListener('click', () => {
  if (run?.runDir) bridge.post({ type: 'gradientFlow', runDir: run.runDir });
});
page.cancel.addEventListener('click', () => {
  if (!run || run.status !== 'running' || cancelling) return;
  cancelling = true;
  bridge.post({ type: 'cancel', runDir: run.runDir });
  scheduleRender();
});

bridge.listen((message) => {
  switch (message.type) {
    case 'run':
      run = runFromHistory(message.run);
      cancelling = false;
      overlays = overlays.filter((o) => o.run.runDir !== run!.runDir);
      save();
      break;
    case 'event':
      if (!run || message.runDir !== run.runDir) return;
      applyEvent(run, message.event);
      break;
    case 'overlay':
      overlays = overlaysOf(message.runs, run?.runDir, restoredOverlay);
      restoredOverlay = undefined;
      save();
      break;
  }
  scheduleRender();
});

page.exports.csv.addEventListener('click', () => {
  if (run) bridge.post({ type: 'export', runDir: run.runDir, format: 'csv', data: epochsCsv(run) });
});
page.exports.svg.addEventListener('click', () => {
  if (run) bridge.post({ type: 'export', runDir: run.runDir, format: 'svg', data: chartsSvg(page.charts).text });
});
page.exports.png.addEventListener('click', () => {
  const runDir = run?.runDir;
  if (runDir) void exportPng(chartsSvg(page.charts)).then((data) => bridge.post({ type: 'export', runDir, format: 'png', data }));
});

function save(): void {
  if (!run) return;
  state = { runDir: run.runDir, overlay: overlays.filter((o) => o.visible).map((o) => o.run.runDir) };
  bridge.saveState(state);
}

/** Events can come in bursts (a whole history, then several per second): draw once per frame. */
function scheduleRender(): void {
  frame ??= requestAnimationFrame(() => {
    frame = undefined;
    render();
  });
}

function render(): void {
  page.empty.hidden = run !== undefined || overlays.length > 0;
  if (run) renderRun(run);
  const span = epochSpan(run, overlays);
  // Transfer learning's later stages start where the Keras guide draws its "start fine-tuning" line.
  const markers = (run?.stages ?? []).filter((s) => s.stage > 1).map((s) => ({ x: s.fromEpoch - 1, label: s.name === 'fine-tune' ? 'fine-tuning starts' : s.name }));
  charts.loss.update(metricSeries(run, overlays, 'loss'), span, markers);
  charts.accuracy.update(metricSeries(run, overlays, 'accuracy'), span, markers);
  charts.learningRate.update(learningRateSeries(run), span, markers);
  renderOverlayLegend(page.overlays, overlays, {
    toggle(runDir, visible) {
      overlays = overlays.map((o) => (o.run.runDir === runDir ? { ...o, visible } : o));
      save();
      scheduleRender();
    },
    open: (runDir) => bridge.post({ type: 'openRun', runDir }),
  });
}

function renderRun(r: RunModel): void {
  page.modelName.textContent = r.start?.model ?? 'Training';
  page.runName.textContent = r.name;
  page.status.textContent = statusText(r);
  page.cancel.hidden = r.status !== 'running';
  page.evaluate.hidden = r.status !== 'done';
  page.gradientFlow.hidden = r.runDir === '';
  page.cancel.toggleAttribute('disabled', cancelling);
  page.cancel.textContent = cancelling ? 'Cancelling…' : 'Cancel';
  const p = r.progress;
  page.progress.hidden = r.status !== 'running';
  if (p) page.progress.value = (p.epoch - 1 + p.batch / p.batches) / p.epochs;
  page.error.hidden = !r.error;
  if (r.error) {
    const where = r.error.location ? ` (${r.error.location.file}:${r.error.location.line}:${r.error.location.column})` : '';
    page.error.textContent = `${r.error.message}${where}`;
  }
  renderCards(page.cards, r);
  page.verdict.hidden = r.epochs.length === 0;
  if (r.epochs.length > 0) {
    const verdict = fitVerdict({ epochs: r.epochs, testAccuracy: r.done?.testAccuracy, classes: r.dataset?.classes, done: r.done });
    page.verdict.className = `verdict verdict-${verdict.kind}`;
    page.verdict.replaceChildren(element('strong', 'verdict-kind', VERDICT_LABELS[verdict.kind]), ' ', element('span', 'verdict-text', verdict.text));
  }
  document.title = `${r.start?.model ?? 'Training'}: ${page.status.textContent}`;
}

function statusText(r: RunModel): string {
  switch (r.status) {
    case 'starting':
      return 'starting…';
    case 'running': {
      const p = r.progress;
      if (!p) return 'preparing the data…';
      return `epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches}${p.examplesPerSecond > 0 ? ` · ${formatInteger(p.examplesPerSecond)} images/s` : ''}`;
    }
    case 'done':
      return `done: ${r.done!.epochsRun} epochs in ${formatDuration(r.done!.trainingSeconds)}`;
    case 'cancelled':
      return `cancelled in epoch ${r.cancelled!.epoch} after batch ${r.cancelled!.batch}; checkpoint saved`;
    case 'failed':
      return 'failed';
  }
}
