import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { customElement, element, toolbar } from '../shared/dom';

type ValueElement = HTMLElement & { value: string };

export interface GradCamPage {
  title: HTMLElement;
  source: HTMLElement;
  layer: ValueElement;
  classChoice: ValueElement;
  sample: ValueElement;
  pickImage: HTMLElement;
  opacity: HTMLInputElement;
  opacityValue: HTMLElement;
  loading: HTMLElement;
  warning: HTMLElement;
  error: HTMLElement;
  empty: HTMLElement;
  result: HTMLElement;
  overlay: HTMLCanvasElement;
  input: HTMLCanvasElement;
  heat: HTMLCanvasElement;
  colourBar: HTMLCanvasElement;
  verdict: HTMLElement;
  probabilities: HTMLElement;
}

/** The view's DOM: layer, class, example and image controls; the overlay large, input and heat map small, the prediction. */
export function buildGradCamPage(): GradCamPage {
  const { header, title, source, actions: controls } = toolbar('Grad-CAM');
  const layer = customElement('vscode-single-select', { 'aria-label': 'Layer', title: 'The layer whose maps are weighted by the class gradient' }) as ValueElement;
  layer.classList.add('layer-choice');
  const classChoice = customElement('vscode-single-select', { 'aria-label': 'Class', title: 'The class to explain' }) as ValueElement;
  classChoice.classList.add('class-choice');
  const sample = customElement('vscode-textfield', { type: 'number', min: '0', value: '0', 'aria-label': 'Test example', title: 'The index of a test example of the dataset' }) as ValueElement;
  const pickImage = customElement('vscode-button', { secondary: '', title: 'Explain the prediction for an image file' }, 'Pick image…');
  controls.append(label('Layer'), layer, label('Class'), classChoice, label('Test example'), sample, pickImage);
  const loading = customElement('vscode-progress-bar', { indeterminate: '' });
  loading.hidden = true;
  const warning = element('div', 'warning');
  warning.hidden = true;
  const error = element('div', 'error-banner');
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const empty = element('div', 'empty', 'Waiting for the engine…');

  const result = element('main', 'gradcam');
  result.hidden = true;
  const overlayFigure = element('figure', 'overlay-figure');
  const overlay = canvas('overlay-canvas', 'The input with the heat map over it');
  const slider = element('label', 'opacity-control');
  const opacity = element('input', 'opacity-slider');
  opacity.type = 'range';
  opacity.min = '0';
  opacity.max = '100';
  opacity.step = '1';
  opacity.setAttribute('aria-label', 'Heat map opacity');
  const opacityValue = element('span', 'opacity-value');
  slider.append(element('span', 'control-label', 'Heat map opacity'), opacity, opacityValue);
  overlayFigure.append(overlay, slider);

  const side = element('div', 'side');
  const pair = element('div', 'small-figures');
  const input = canvas('small-canvas input-canvas', 'The input as the model saw it');
  const heat = canvas('small-canvas heat-canvas', 'The heat map alone');
  pair.append(smallFigure(input, 'input'), smallFigure(heat, 'heat map'));
  const legend = element('div', 'colour-legend');
  const colourBar = canvas('colour-bar', 'Colour scale of the heat map');
  legend.append(element('span', 'muted', 'low'), colourBar, element('span', 'muted', 'high importance for the class'));
  const verdict = element('div', 'verdict');
  const probabilities = element('div', 'probabilities');
  // Uncalibrated: the model's own softmax, where Evaluate and the service show probabilities after
  // temperature scaling; saying which keeps 79.4% here and 81.2% there from looking contradictory.
  const heading = element('h2', 'section-title', 'Probabilities (uncalibrated softmax)');
  heading.title = 'The model\'s own softmax. Evaluate and the prediction service show probabilities after temperature scaling, fitted on the validation split, so their figures differ slightly.';
  side.append(verdict, heading, probabilities, pair, legend);
  result.append(overlayFigure, side);
  document.body.append(header, loading, warning, error, empty, result);
  return { title, source, layer, classChoice, sample, pickImage, opacity, opacityValue, loading, warning, error, empty, result, overlay, input, heat, colourBar, verdict, probabilities };
}

function label(text: string): HTMLElement {
  return element('span', 'control-label', text);
}

function canvas(className: string, description: string): HTMLCanvasElement {
  const node = element('canvas', className);
  node.setAttribute('role', 'img');
  node.setAttribute('aria-label', description);
  return node;
}

function smallFigure(node: HTMLCanvasElement, caption: string): HTMLElement {
  const figure = element('figure', 'small-figure');
  figure.append(node, element('figcaption', 'muted', caption));
  return figure;
}
