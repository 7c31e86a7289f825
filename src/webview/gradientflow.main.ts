/**
 * Gradient flow: for one run (and the other runs of its model file, to compare), each layer's
 * gradient norm, update-to-weight ratio, weight norm or dead relu share over training, as a
 * heatmap in source order, and the bars at the cursor's step. Live while the run trains.
 */
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { GradientFlowEvent } from '../protocol/engine';
import type { GradientFlowFromView, GradientFlowMetric, GradientFlowRun, GradientFlowState, GradientFlowToView } from '../protocol/webview';
import { connectBridge } from './shared/bridge';
import { customElement, element, toolbar } from './shared/dom';
import { Tooltip } from './shared/tooltip';
import { flowTable, GRADIENT_FLOW_METRICS, METRIC_LABELS, valueDomain } from './gradientflow/flow-data';
import { RunFlowChart } from './gradientflow/run-chart';

const bridge = connectBridge<GradientFlowToView, GradientFlowFromView, GradientFlowState>(['runs', 'event', 'ended']);
let state: GradientFlowState | undefined = bridge.startState;
const { header, title, source, actions } = toolbar('Gradient flow');
const select = customElement('vscode-single-select', { title: 'What the colours and bars measure' }) as HTMLElement & { value: string };
for (const metric of GRADIENT_FLOW_METRICS) select.append(customElement('vscode-option', { value: metric }, METRIC_LABELS[metric]));
actions.append(select);
const caption = element('div', 'flow-caption', 'Rows: layers in source order (click one to show its line). Columns: recorded steps. Colour: log scale shared by the runs shown. Hover the heatmap to move the bars to a step.');
const empty = element('div', 'empty', 'Waiting for the run…');
const charts = element('main', 'flow-runs');
document.body.append(header, caption, empty, charts);
const tooltip = new Tooltip();

let runs: GradientFlowRun[] = [];
const views = new Map<string, RunFlowChart>();
let cursor: number | undefined;
let renders = 0;
let pending = false;

select.addEventListener('change', () => {
  state = { runDir: state?.runDir ?? runs[0]?.runDir ?? '', metric: select.value as GradientFlowMetric };
  bridge.saveState(state);
  draw();
});

bridge.listen((message) => {
  switch (message.type) {
    case 'runs':
      runs = message.runs;
      state = { ...state, runDir: runs[0]?.runDir ?? state?.runDir ?? '' };
      bridge.saveState(state);
      draw();
      break;
    case 'event':
    {
      // The host read the file when the view opened; an event written then may also come live.
      const run = runs.find((r) => r.runDir === message.runDir);
      if (!run || run.events.some((e) => e.step === message.event.step)) break;
      run.events.push(message.event as GradientFlowEvent);
      // Live events arrive every few batches: one redraw per frame at most.
      if (!pending) {
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          draw();
        });
      }
      break;
    }
    case 'ended': {
      const run = runs.find((r) => r.runDir === message.runDir);
      if (run) run.live = false;
      draw();
      break;
    }
  }
});

function draw(): void {
  const metric = state?.metric ?? 'gradientNorm';
  select.value = metric;
  const main = runs[0];
  title.textContent = main ? `Gradient flow · ${main.model}` : 'Gradient flow';
  source.textContent = main ? main.name : '';
  empty.hidden = runs.length > 0;
  const tables = runs.map((run) => flowTable(run.events, metric));
  const domain = valueDomain(tables, metric);
  for (const [runDir, view] of views) {
    if (!runs.some((r) => r.runDir === runDir)) {
      view.root.remove();
      views.delete(runDir);
    }
  }
  runs.forEach((run, i) => {
    let view = views.get(run.runDir);
    if (!view) {
      view = new RunFlowChart(tooltip, {
        cursor: (step) => {
          if (step === cursor) return;
          cursor = step;
          draw();
        },
        reveal: (line) => bridge.post({ type: 'reveal', runDir: run.runDir, line }),
      });
      views.set(run.runDir, view);
    }
    charts.append(view.root);
    view.root.dataset.run = run.name;
    view.render(`${run.model} · ${run.name}${run.live ? ' · training' : ''}${i === 0 ? '' : ' (compared)'}`, tables[i]!, metric, domain, cursor);
  });
  document.body.dataset.renders = String(++renders);
}
