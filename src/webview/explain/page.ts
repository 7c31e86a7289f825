import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { customElement, element, toolbar } from '../shared/dom';

type ValueElement = HTMLElement & { value: string };

export interface ExplainPage {
  title: HTMLElement;
  source: HTMLElement;
  sample: ValueElement;
  pickImage: HTMLElement;
  initial: HTMLInputElement;
  loading: HTMLElement;
  warning: HTMLElement;
  error: HTMLElement;
  empty: HTMLElement;
  /** The columns: the input, one per layer, the prediction. */
  flow: HTMLElement;
  /** The sum behind the clicked value. */
  detail: HTMLElement;
}

/** The view's DOM: input controls, the flow of columns (scrolling sideways), the explained value below. */
export function buildExplainPage(): ExplainPage {
  const { header, title, source, actions } = toolbar('Explain an image');
  const sample = customElement('vscode-textfield', { type: 'number', min: '0', value: '0', 'aria-label': 'Test example', title: 'The index of a test example of the dataset' }) as ValueElement;
  const pickImage = customElement('vscode-button', { secondary: '', title: 'Pass an image file through the model' }, 'Pick image…');
  const initialLabel = element('label', 'control-label initial-choice');
  initialLabel.title = 'Explain the model as it starts (seeded initial weights) instead of its newest trained run';
  const initial = element('input', 'initial-weights');
  initial.type = 'checkbox';
  initialLabel.append(initial, document.createTextNode(' initial weights'));
  actions.append(element('span', 'control-label', 'Test example'), sample, pickImage, initialLabel);
  const loading = customElement('vscode-progress-bar', { indeterminate: '' });
  loading.hidden = true;
  const warning = element('div', 'warning');
  warning.hidden = true;
  const error = element('div', 'error-banner');
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const empty = element('div', 'empty', 'Waiting for the engine…');
  const hint = element('p', 'hint muted', 'Each column is a layer\'s output for this image, left to right as the source has them. Click a value of a convolution, pooling or dense layer to see the sum that made it.');
  const flow = element('div', 'flow');
  flow.setAttribute('role', 'list');
  const detail = element('section', 'unit-detail');
  detail.hidden = true;
  document.body.append(header, loading, warning, error, empty, hint, flow, detail);
  return { title, source, sample, pickImage, initial, loading, warning, error, empty, flow, detail };
}
