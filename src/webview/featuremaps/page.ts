import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { customElement, element, toolbar } from '../shared/dom';

export interface FeatureMapsPage {
  title: HTMLElement;
  source: HTMLElement;
  layer: HTMLElement & { value: string };
  sample: HTMLElement & { value: string };
  pickImage: HTMLElement;
  loading: HTMLElement;
  error: HTMLElement;
  empty: HTMLElement;
  input: Section;
  filters: Section;
  maps: Section;
}

export interface Section {
  root: HTMLElement;
  caption: HTMLElement;
  grid: HTMLElement;
}

/** The view's DOM: layer, sample and image controls, then input, filters and feature maps. */
export function buildFeatureMapsPage(): FeatureMapsPage {
  const { header, title, source, actions: controls } = toolbar('Feature maps');
  const layer = customElement('vscode-single-select', { 'aria-label': 'Layer' }) as FeatureMapsPage['layer'];
  const sample = customElement('vscode-textfield', { type: 'number', min: '0', value: '0', 'aria-label': 'Test example', title: 'The index of a test example of the dataset' }) as FeatureMapsPage['sample'];
  const pickImage = customElement('vscode-button', { secondary: '', title: 'Show the activations for an image file' }, 'Pick image…');
  controls.append(label('Layer'), layer, label('Test example'), sample, pickImage);
  const loading = customElement('vscode-progress-bar', { indeterminate: '' });
  loading.hidden = true;
  const error = element('div', 'error-banner');
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const empty = element('div', 'empty', 'Waiting for the layer…');
  const main = element('main', 'featuremaps');
  const input = section('Input');
  const filters = section('Filters');
  const maps = section('Feature maps');
  main.append(empty, input.root, filters.root, maps.root);
  document.body.append(header, loading, error, main);
  return { title, source, layer, sample, pickImage, loading, error, empty, input, filters, maps };
}

function label(text: string): HTMLElement {
  return element('span', 'control-label', text);
}

function section(name: string): Section {
  const root = element('section', 'tiles-section');
  root.dataset.section = name.toLowerCase().replace(' ', '-');
  root.hidden = true;
  const heading = element('h2', 'section-title', name);
  const caption = element('div', 'section-caption');
  const grid = element('div', 'tile-grid');
  root.append(heading, caption, grid);
  return { root, caption, grid };
}
