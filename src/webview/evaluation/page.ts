import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { customElement, element, toolbar } from '../shared/dom';

export interface EvaluationPage {
  title: HTMLElement;
  source: HTMLElement;
  evaluate: HTMLElement;
  openRun: HTMLElement;
  loading: HTMLElement;
  error: HTMLElement;
  empty: HTMLElement;
  report: HTMLElement;
  headline: HTMLElement;
  matrix: HTMLElement;
  classes: HTMLElement;
  critical: HTMLElement;
  reliability: HTMLElement;
  calibrationCaption: HTMLElement;
  mistakes: HTMLElement;
}

/** The view's DOM: toolbar, headline cards, confusion matrix beside the per-class table, calibration, mistakes. */
export function buildEvaluationPage(): EvaluationPage {
  const { header, title, source, actions } = toolbar('Evaluation');
  const evaluate = customElement('vscode-button', { secondary: '', title: 'Run convlab eval on this run again' }, 'Evaluate again');
  const openRun = customElement('vscode-button', { secondary: '', title: 'The training curves of this run' }, 'Training dashboard');
  actions.append(evaluate, openRun);
  const loading = customElement('vscode-progress-bar', { indeterminate: '' });
  loading.hidden = true;
  const error = element('div', 'error-banner');
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const empty = element('div', 'empty', 'Waiting for the evaluation…');

  const report = element('main', 'evaluation');
  report.hidden = true;
  const headline = element('div', 'cards');
  const critical = element('div', 'critical-list');
  const matrixSection = section('confusion', 'Confusion matrix', 'Rows: true class; columns: predicted class. Counts of test examples; colour: share of the true class (blue: right, red: mistaken).');
  const matrix = element('div', 'matrix-holder');
  matrixSection.append(matrix);
  const classSection = section('per-class', 'Per class', 'Precision: how often a prediction of the class is right. Recall (sensitivity): how many of the class are found.');
  const classes = element('div', 'table-holder');
  classSection.append(classes);
  const top = element('div', 'two-columns');
  top.append(matrixSection, classSection);
  const calibrationSection = section('calibration', 'Calibration', '');
  const calibrationCaption = calibrationSection.querySelector<HTMLElement>('.section-caption')!;
  const reliability = element('div', 'reliability-holder');
  calibrationSection.append(reliability);
  const mistakesSection = section('mistakes', 'Most confident mistakes', 'The wrong predictions the model was surest of (confidence after temperature scaling): often mislabelled examples, or a real blind spot.');
  const mistakes = element('div', 'table-holder');
  mistakesSection.append(mistakes);
  const bottom = element('div', 'two-columns');
  bottom.append(calibrationSection, mistakesSection);
  report.append(headline, critical, top, bottom);
  document.body.append(header, loading, error, empty, report);
  return { title, source, evaluate, openRun, loading, error, empty, report, headline, matrix, classes, critical, reliability, calibrationCaption, mistakes };
}

function section(key: string, name: string, caption: string): HTMLElement {
  const root = element('section', 'report-section');
  root.dataset.section = key;
  root.append(element('h2', 'section-title', name), element('div', 'section-caption', caption));
  return root;
}
