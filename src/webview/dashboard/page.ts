import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { customElement, element } from '../shared/dom';

export interface DashboardPage {
  modelName: HTMLElement;
  runName: HTMLElement;
  status: HTMLElement;
  cancel: HTMLElement;
  evaluate: HTMLElement;
  gradientFlow: HTMLElement;
  exports: { svg: HTMLElement; png: HTMLElement; csv: HTMLElement };
  progress: HTMLElement & { value?: number; max: number };
  error: HTMLElement;
  empty: HTMLElement;
  cards: HTMLElement;
  verdict: HTMLElement;
  charts: HTMLElement;
  overlays: HTMLElement;
}

/** The dashboard's DOM: header with status and Cancel, progress, cards, verdict, charts, overlays. */
export function buildDashboardPage(): DashboardPage {
  const header = element('header', 'toolbar');
  const title = element('div', 'title');
  const modelName = element('span', 'model-name', 'Training');
  const runName = element('span', 'file-name');
  const status = element('span', 'run-status');
  status.setAttribute('role', 'status');
  title.append(modelName, runName, status);
  const cancel = customElement('vscode-button', { secondary: '', title: 'Stop after this batch; the engine saves a checkpoint to resume from' }, 'Cancel');
  cancel.hidden = true;
  const evaluate = customElement('vscode-button', { secondary: '', title: 'Test accuracy per class, the confusion matrix and calibration (convlab eval)' }, 'Evaluate');
  evaluate.hidden = true;
  const gradientFlow = customElement('vscode-button', { secondary: '', title: "Each layer's gradient norm, update ratio and dead relu units over the run" }, 'Gradient flow');
  gradientFlow.hidden = true;
  const exportButton = (format: string, title: string) => customElement('vscode-button', { secondary: '', title }, format);
  const exports = {
    svg: exportButton('SVG', 'Save the charts as an SVG image, for a report'),
    png: exportButton('PNG', 'Save the charts as a PNG image, for a report'),
    csv: exportButton('CSV', 'Save each epoch\'s loss, accuracy and learning rate as CSV'),
  };
  const actions = element('div', 'actions');
  actions.append(cancel, evaluate, gradientFlow, exports.svg, exports.png, exports.csv);
  header.append(title, actions);
  const progress = customElement('vscode-progress-bar', { max: '1' }) as DashboardPage['progress'];
  progress.hidden = true;
  const error = element('div', 'error-banner');
  error.hidden = true;
  const empty = element('div', 'empty', 'Waiting for the run…');
  const main = element('main', 'dashboard');
  const cards = element('section', 'cards');
  cards.setAttribute('aria-label', 'run facts');
  const verdict = element('section', 'verdict');
  verdict.hidden = true;
  const charts = element('section', 'charts');
  const overlays = element('section', 'overlays');
  overlays.hidden = true;
  main.append(empty, cards, verdict, charts, overlays);
  document.body.append(header, progress, error, main);
  return { modelName, runName, status, cancel, evaluate, gradientFlow, exports, progress, error, empty, cards, verdict, charts, overlays };
}
