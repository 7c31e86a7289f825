/**
 * Grad-CAM of one input (`convlab gradcam --json`): the image with the heat map over it at an
 * opacity the slider sets, the class explained and its probability, and pickers for the layer,
 * the class and the input that ask the engine again.
 */
import * as d3 from 'd3';
import type { GradCamResult } from '../protocol/gradcam';
import type { GradCamFromView, GradCamLayer, GradCamState, GradCamToView } from '../protocol/webview';
import { connectBridge } from './shared/bridge';
import { colourTable } from './shared/colour-table';
import { customElement } from './shared/dom';
import { formatPercent, formatShape } from './shared/format';
import { displayScale, inputPixels, overlayPixels, type RgbaImage, type RgbImage } from './gradcam/overlay';
import { buildGradCamPage } from './gradcam/page';
import { classNamesOf, renderProbabilities } from './gradcam/probabilities';

/** The engine's default layer and class, as the pickers' first entries. */
const DEFAULT = '';
/** The overlay's longer side, in CSS pixels, before the window narrows it. */
const OVERLAY_SIZE = 360;
const SMALL_SIZE = 120;

const bridge = connectBridge<GradCamToView, GradCamFromView, GradCamState>(['layers', 'loading', 'result', 'error']);
const page = buildGradCamPage();
// Inferno, as the engine's PNG uses: dark to bright yellow, readable in grey and on both themes.
const colours = colourTable(d3.interpolateInferno);
let state: GradCamState = bridge.startState ?? { uri: '', model: '' };
let shown: { result: GradCamResult; image: RgbImage } | undefined;
let layers: GradCamLayer[] = [];
let renders = 0;

page.opacity.value = String(Math.round((state.opacity ?? 0.5) * 100));
page.opacityValue.textContent = `${page.opacity.value}%`;
page.sample.value = String(state.sample ?? 0);
drawColourBar();

page.opacity.addEventListener('input', () => {
  page.opacityValue.textContent = `${page.opacity.value}%`;
  save({ opacity: Number(page.opacity.value) / 100 });
  drawOverlay();
});
page.layer.addEventListener('change', () => request({ layer: page.layer.value || undefined }));
page.classChoice.addEventListener('change', () => request({ classIndex: page.classChoice.value === DEFAULT ? undefined : Number(page.classChoice.value) }));
page.sample.addEventListener('change', () => {
  const sample = Number(page.sample.value);
  if (Number.isInteger(sample) && sample >= 0) request({ sample, image: undefined });
});
page.pickImage.addEventListener('click', () => bridge.post({ type: 'pickImage' }));

bridge.listen((message) => {
  switch (message.type) {
    case 'layers':
      layers = message.layers;
      fillLayers(message.current ?? state.layer);
      break;
    case 'loading':
      page.loading.hidden = false;
      break;
    case 'result':
      page.loading.hidden = true;
      page.error.hidden = true;
      show(message.result);
      break;
    case 'error':
      page.loading.hidden = true;
      page.error.hidden = false;
      page.error.textContent = message.message;
      page.empty.textContent = 'No Grad-CAM to show.';
      break;
  }
});

/** Asks the host again, keeping the choices that did not change. */
function request(change: Partial<Pick<GradCamState, 'layer' | 'classIndex' | 'sample' | 'image'>>): void {
  const next = { layer: state.layer, classIndex: state.classIndex, sample: state.sample, image: state.image, ...change };
  save(next);
  page.loading.hidden = false;
  bridge.post({
    type: 'request',
    ...(next.layer ? { layer: next.layer } : {}),
    ...(next.classIndex !== undefined ? { classIndex: next.classIndex } : {}),
    ...(next.image ? { image: next.image } : { sample: next.sample ?? 0 }),
  });
}

function show(result: GradCamResult): void {
  shown = { result, image: inputPixels(result.input) };
  // An image file has no label and its source is its path; a test example carries its label.
  save({ model: result.model, ...(result.label ? { image: undefined } : { image: result.source }) });
  page.empty.hidden = true;
  page.result.hidden = false;
  page.title.textContent = `Grad-CAM · ${result.model} · ${result.layer} (${result.heatmap.height}×${result.heatmap.width})`;
  page.source.textContent = `${result.source} · ${formatShape(result.input.shape)} · weights: ${result.weights}`;
  page.warning.hidden = !result.weights.startsWith('untrained');
  page.warning.textContent = `${result.model} has no trained run: these are untrained weights, so the heat map shows noise, not what a trained model looks at. Train the model, then ask again.`;
  fillLayers(state.layer, result.layer);
  fillClasses(result);
  const names = classNamesOf(result);
  const explained = names[result.classIndex]!;
  const predicted = result.probabilities.indexOf(Math.max(...result.probabilities));
  const label = result.label ? ` · label ${result.label.name}${result.label.index === predicted ? ' (predicted right)' : ` (predicted ${names[predicted]})`}` : '';
  page.verdict.textContent = `Explaining ${explained}: probability ${formatPercent(result.probability, 1)}${label}`;
  renderProbabilities(page.probabilities, result, (classIndex) => request({ classIndex: classIndex === predicted ? undefined : classIndex }));
  drawOverlay();
  const small = displayScale(result.input.shape[1]!, result.input.shape[0]!, SMALL_SIZE);
  paint(page.input, overlayPixels(shown.image, result.heatmap, colours, 0, small));
  paint(page.heat, overlayPixels(shown.image, result.heatmap, colours, 1, small));
  document.body.dataset.renders = String(++renders);
}

function drawOverlay(): void {
  if (!shown) return;
  const { result, image } = shown;
  const scale = displayScale(image.width, image.height, OVERLAY_SIZE);
  paint(page.overlay, overlayPixels(image, result.heatmap, colours, Number(page.opacity.value) / 100, scale));
}

function paint(canvas: HTMLCanvasElement, picture: RgbaImage): void {
  canvas.width = picture.width;
  canvas.height = picture.height;
  canvas.getContext('2d')!.putImageData(new ImageData(picture.rgba, picture.width, picture.height), 0, 0);
}

function drawColourBar(): void {
  const bar = page.colourBar;
  bar.width = 256;
  bar.height = 1;
  const rgba = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) rgba.set([colours[i * 3]!, colours[i * 3 + 1]!, colours[i * 3 + 2]!, 255], i * 4);
  bar.getContext('2d')!.putImageData(new ImageData(rgba, 256, 1), 0, 0);
}

/** The layer picker: "last (default)" naming the layer the engine chose, then every layer with maps. */
function fillLayers(current: string | undefined, engineDefault = shown?.result.layer): void {
  const first = customElement('vscode-option', { value: DEFAULT }, state.layer === undefined && engineDefault ? `${engineDefault} (last, default)` : 'last (default)');
  page.layer.replaceChildren(first, ...layers.map((l) => customElement('vscode-option', { value: l.name }, `${l.name} · ${l.type} · ${formatShape(l.outputShape)}`)));
  page.layer.value = current ?? DEFAULT;
}

function fillClasses(result: GradCamResult): void {
  const names = classNamesOf(result);
  const predicted = result.probabilities.indexOf(Math.max(...result.probabilities));
  const first = customElement('vscode-option', { value: DEFAULT }, `predicted (${names[predicted]})`);
  page.classChoice.replaceChildren(first, ...names.map((name, i) => customElement('vscode-option', { value: String(i) }, `${i}: ${name}`)));
  page.classChoice.value = state.classIndex === undefined ? DEFAULT : String(state.classIndex);
}

function save(change: Partial<GradCamState>): void {
  state = { ...state, ...change };
  bridge.saveState(state);
}
