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
  const { root: matrixSection, holder: matrix } = section('confusion', 'Confusion matrix', 'Rows: true class; columns: predicted class. Counts of test examples; colour: share of the true class (blue: right, red: mistaken).', 'matrix-holder');
  const { root: classSection, holder: classes } = section('per-class', 'Per class', 'Precision: how often a prediction of the class is right. Recall (sensitivity): how many of the class are found.', 'table-holder');
  const top = element('div', 'two-columns');
  top.append(matrixSection, classSection);
  const { root: calibrationSection, holder: reliability, caption: calibrationCaption } = section('calibration', 'Calibration', '', 'reliability-holder');
  const { root: mistakesSection, holder: mistakes } = section('mistakes', 'Most confident mistakes', 'The wrong predictions the model was surest of (confidence after temperature scaling): often mislabelled examples, or a real blind spot.', 'table-holder');
  const bottom = element('div', 'two-columns');
  bottom.append(calibrationSection, mistakesSection);
  report.append(headline, critical, top, bottom);
  document.body.append(header, loading, error, empty, report);
  return { title, source, evaluate, openRun, loading, error, empty, report, headline, matrix, classes, critical, reliability, calibrationCaption, mistakes };
}

/** A titled part of the report: its heading, a caption, and the element its content goes in. */
function section(key: string, name: string, captionText: string, holderClass: string): { root: HTMLElement; caption: HTMLElement; holder: HTMLElement } {
  const root = element('section', 'report-section');
  root.dataset.section = key;
  const caption = element('div', 'section-caption', captionText);
  const holder = element('div', holderClass);
  root.append(element('h2', 'section-title', name), caption, holder);
  return { root, caption, holder };
}
