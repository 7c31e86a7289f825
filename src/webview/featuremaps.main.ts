/**
 * Filters and feature maps of one layer: its filters as images and its activations for one input,
 * each normalised to its own range; hover reads a value, click enlarges.
 */
import type { InspectResult } from '../protocol/inspect';
import type { FeatureMapsFromView, FeatureMapsState, FeatureMapsToView } from '../protocol/webview';
import { connectBridge } from './shared/bridge';
import { customElement } from './shared/dom';
import { formatShape, formatValue } from './shared/format';
import { Tooltip } from './shared/tooltip';
import { viridisTable } from './featuremaps/colour-table';
import { EnlargedView } from './featuremaps/enlarged-view';
import { buildFeatureMapsPage } from './featuremaps/page';
import { renderTileGrid, type TileEvents } from './featuremaps/tile-grid';
import { activationTiles, filterTiles, imageTile, type Tile } from './featuremaps/tiles';

const bridge = connectBridge<FeatureMapsToView, FeatureMapsFromView, FeatureMapsState>(['inspect', 'layers', 'error']);
const page = buildFeatureMapsPage();
const tooltip = new Tooltip();
const enlarged = new EnlargedView();
const colours = viridisTable();
let state: FeatureMapsState = bridge.startState ?? { uri: '', model: '', layer: '' };
let shown: InspectResult | undefined;
let renders = 0;

page.sample.value = String(state.sample ?? 0);
page.layer.addEventListener('change', () => request({ layer: page.layer.value }));
page.sample.addEventListener('change', () => {
  const sample = Number(page.sample.value);
  if (Number.isInteger(sample) && sample >= 0) request({ sample });
});
page.pickImage.addEventListener('click', () => {
  setLoading(true);
  bridge.post({ type: 'pickImage' });
});

bridge.listen((message) => {
  switch (message.type) {
    case 'layers':
      page.layer.replaceChildren(...message.layers.map((name) => customElement('vscode-option', { value: name }, name)));
      page.layer.value = message.current;
      save({ layer: message.current });
      break;
    case 'inspect':
      setLoading(false);
      page.error.hidden = true;
      show(message.result);
      break;
    case 'error':
      setLoading(false);
      // An error is the answer: "Waiting for the layer…" beside it would say one is still coming.
      page.empty.hidden = true;
      page.error.hidden = false;
      page.error.textContent = message.message;
      break;
  }
});

/** Asks the host for another layer or example, keeping whichever of the two did not change. */
function request(change: { layer?: string; sample?: number }): void {
  const layer = change.layer ?? shown?.layer ?? state.layer;
  if (!layer) return;
  // An example of the dataset carries its label; an image file does not, and its source is its path.
  const image = change.sample === undefined && shown && !shown.label ? shown.source : undefined;
  const sample = image === undefined ? (change.sample ?? state.sample ?? 0) : undefined;
  save({ layer, sample });
  setLoading(true);
  bridge.post({ type: 'request', layer, ...(image !== undefined ? { image } : { sample }) });
}

function show(result: InspectResult): void {
  shown = result;
  save({ model: result.model, layer: result.layer });
  page.empty.hidden = true;
  page.title.textContent = `${result.model} · ${result.layer} (${result.type})`;
  page.source.textContent = `${result.source}${result.label ? ` · label ${result.label.name}` : ''} · weights: ${result.weights}`;
  if (page.layer.value !== result.layer) page.layer.value = result.layer;

  const input = imageTile(result.input);
  showSection(page.input, [input], () => formatShape(result.input.shape), `${formatShape(result.input.shape)}, as the model saw it (after normalisation)`, false);

  page.filters.root.hidden = !result.filters;
  if (result.filters) {
    const [kh, kw, inChannels, count] = result.filters.shape as [number, number, number, number];
    const how = inChannels === 3
      ? 'in colour: each filter\'s weights for red, green and blue'
      : inChannels === 1 ? 'grey: the weights' : `grey: each filter's mean over its ${inChannels} input channels`;
    showSection(page.filters, filterTiles(result.filters), (i) => `filter ${i}`, `${count} filters of ${kh}×${kw}×${inChannels}, ${how}; each scaled to its own range (dark: lowest, light: highest)`, true);
  }

  const maps = activationTiles(result.activations, colours);
  const shape = result.activations.shape;
  const what = shape.length === 3 ? `${shape[2]} maps of ${shape[0]}×${shape[1]}` : `${shape[0]} units`;
  showSection(page.maps, maps, (i) => (shape.length === 3 ? `map ${i}` : 'units'), `${what}, values ${formatValue(result.activations.min)} to ${formatValue(result.activations.max)}; viridis, each map scaled to its own range (dark purple: lowest, yellow: highest)`, true);
  document.body.dataset.renders = String(++renders);
}

function showSection(section: { root: HTMLElement; caption: HTMLElement; grid: HTMLElement }, tiles: Tile[], label: (i: number) => string, caption: string, openable: boolean): void {
  section.root.hidden = false;
  section.caption.textContent = caption;
  const events: TileEvents = {
    hover: (tile, i, x, y, event) => tooltip.show(event, label(i), [`x ${x}, y ${y}: ${tile.valueAt(x, y)}`, `range ${formatValue(tile.range[0])} to ${formatValue(tile.range[1])}`]),
    leave: () => tooltip.hide(),
    ...(openable ? { open: (i: number) => enlarged.show(tiles[i]!, `${shown?.layer ?? ''} ${label(i)}`) } : {}),
  };
  renderTileGrid(section.grid, tiles, label, events);
}

function setLoading(loading: boolean): void {
  page.loading.hidden = !loading;
}

function save(change: Partial<FeatureMapsState>): void {
  state = { ...state, ...change };
  bridge.saveState(state);
}
