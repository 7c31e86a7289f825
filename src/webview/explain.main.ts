/**
 * "Explain an image" (CNN Explainer's idea, for the user's own model): the input's way through
 * the layers as columns of feature maps ending in the predicted classes, and, for a clicked
 * value, the sum that made it. Every number comes from the engine (src/protocol/explain.ts).
 */
import type { ExplainFlow } from '../protocol/explain';
import type { ExplainFromView, ExplainState, ExplainToView } from '../protocol/webview';
import { renderFlow, markSelection, type FlowFigures } from './explain/columns';
import { buildExplainPage } from './explain/page';
import { renderUnit } from './explain/unit-detail';
import { viridisTable } from './featuremaps/colour-table';
import { connectBridge } from './shared/bridge';
import { formatShape } from './shared/format';

const bridge = connectBridge<ExplainToView, ExplainFromView, ExplainState>(['flow', 'unit', 'loading', 'error']);
const page = buildExplainPage();
const colours = viridisTable();
let state: ExplainState = bridge.startState ?? { uri: '', model: '' };
let shown: { flow: ExplainFlow; figures: FlowFigures } | undefined;
let renders = 0;

page.sample.value = String(state.sample ?? 0);
page.sample.addEventListener('change', () => {
  const sample = Number(page.sample.value);
  if (!Number.isInteger(sample) || sample < 0) return;
  save({ sample, image: undefined });
  page.loading.hidden = false;
  bridge.post({ type: 'request', sample });
});
page.pickImage.addEventListener('click', () => bridge.post({ type: 'pickImage' }));
page.initial.checked = state.initial === true;
page.initial.addEventListener('change', () => {
  save({ initial: page.initial.checked });
  page.loading.hidden = false;
  bridge.post({ type: 'weights', initial: page.initial.checked });
});

bridge.listen((message) => {
  switch (message.type) {
    case 'loading':
      page.loading.hidden = false;
      break;
    case 'flow':
      page.loading.hidden = true;
      page.error.hidden = true;
      showFlow(message.flow);
      break;
    case 'unit':
      page.loading.hidden = true;
      page.error.hidden = true;
      if (!shown) break;
      renderUnit(page.detail, message.unit, shown.flow, colours);
      markSelection(shown.figures, message.unit.layer, message.unit.position, message.unit.receptiveField);
      save({ selected: { layer: message.unit.layer, position: message.unit.position } });
      document.body.dataset.renders = String(++renders);
      break;
    case 'error':
      page.loading.hidden = true;
      page.error.hidden = false;
      page.error.textContent = message.message;
      if (!shown) page.empty.textContent = 'Nothing to explain.';
      break;
  }
});

function showFlow(flow: ExplainFlow): void {
  page.empty.hidden = true;
  page.title.textContent = `Explain an image · ${flow.model}`;
  page.source.textContent = `${flow.source} · ${formatShape(flow.input.shape)} · weights: ${flow.weights}`;
  page.warning.hidden = !flow.weights.startsWith('untrained') && !flow.weights.startsWith('pretrained base');
  page.warning.textContent = `${flow.model} is shown with its initial weights (${flow.weights}): the sums are real, but the maps and the prediction are not yet learned ones. Train the model to explain what it learned.`;
  page.detail.hidden = true;
  page.detail.replaceChildren();
  const figures = renderFlow(page.flow, flow, colours, {
    select: (layer, position) => {
      page.loading.hidden = false;
      bridge.post({ type: 'explainUnit', layer, position });
    },
    reveal: (line) => bridge.post({ type: 'reveal', line }),
  });
  shown = { flow, figures };
  // A test example carries its label; an image file's source is its path.
  save({ ...(flow.label ? { image: undefined } : { image: flow.source }), selected: undefined });
  document.body.dataset.renders = String(++renders);
}

function save(change: Partial<ExplainState>): void {
  state = { ...state, ...change };
  bridge.saveState(state);
}
