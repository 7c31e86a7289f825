/**
 * The flow: the input image, then each layer's output as a column of feature maps (or a strip of
 * units for a vector), then the predicted classes. A click on a value of a layer that explains
 * itself asks for its sum.
 */
import type { ExplainFlow, FlowLayer, Prediction, Region } from '../../protocol/explain';
import { activationTiles, imageTile, type ColourTable, type Tile } from '../featuremaps/tiles';
import { element } from '../shared/dom';
import { formatPercent, formatShape } from '../shared/format';
import { addBox, cellAt, mapFigure, type MapFigure } from './marks';

/** Display sizes in CSS pixels: the input, one map, a unit strip's longest. */
const INPUT_SIZE = 112;
const MAP_SIZE = 64;
/** Beyond this many channels a column wraps into a grid of smaller maps. */
const CHANNELS_PER_COLUMN = 8;
const SMALL_MAP_SIZE = 44;
const STRIP_MAX = 360;
const STRIP_WIDTH = 14;
/** Classes listed at the end of the flow. */
const TOP_CLASSES = 10;

export interface FlowHandlers {
  select(layer: string, position: number[]): void;
  reveal(line: number): void;
}

/** Where boxes go once a value is explained: the input image, and each layer's maps by channel. */
export interface FlowFigures {
  input: MapFigure;
  maps: Map<string, MapFigure[]>;
}

export function renderFlow(container: HTMLElement, flow: ExplainFlow, colours: ColourTable, handlers: FlowHandlers): FlowFigures {
  const input = mapFigure(imageTile(flow.input), INPUT_SIZE, 'The input as the model saw it');
  const inputColumn = column('input', `input · ${formatShape(flow.input.shape)}`, flow.label ? `label ${flow.label.name}` : '');
  inputColumn.body.append(input.frame);
  const maps = new Map<string, MapFigure[]>();
  const columns = flow.layers.map((layer) => {
    const { root, body, head } = column(layer.name, `${layer.name} · ${formatShape(layer.outputShape)}`, layer.type);
    head.addEventListener('click', () => handlers.reveal(layer.line));
    head.title = `${layer.type}: click to show line ${layer.line + 1}${layer.explains ? '' : `. ${layer.unexplained ?? ''}`}`;
    root.dataset.explains = layer.explains ?? '';
    const figures = layer.outputShape.length === 3 ? channelMaps(layer, colours) : [unitStrip(layer, colours)];
    maps.set(layer.name, figures);
    const gridColumns = Math.ceil(figures.length / CHANNELS_PER_COLUMN);
    if (gridColumns > 1) {
      body.classList.add('map-grid');
      body.style.gridTemplateColumns = `repeat(${gridColumns}, auto)`;
    }
    figures.forEach((figure, channel) => {
      body.append(figure.frame);
      if (!layer.explains) return;
      figure.canvas.classList.add('clickable');
      figure.canvas.addEventListener('click', (event) => {
        const [row, col] = cellAt(figure.canvas, event);
        handlers.select(layer.name, layer.outputShape.length === 3 ? [row, col, channel] : [row]);
      });
    });
    if (layer.channelsShown < (layer.outputShape.at(-1) ?? 0)) body.append(element('div', 'muted more', `first ${layer.channelsShown} of ${layer.outputShape.at(-1)}`));
    return root;
  });
  container.replaceChildren(inputColumn.root, ...columns, ...(flow.prediction ? [predictionColumn(flow.prediction, flow.label?.index)] : []));
  return { input, maps };
}

/** Clears the boxes of an earlier selection and marks the selected value and its receptive field. */
export function markSelection(figures: FlowFigures, layer: string, position: number[], field: Region | undefined): void {
  document.querySelectorAll('.flow .map-box').forEach((box) => box.remove());
  document.querySelectorAll('.flow .selected-map').forEach((map) => map.classList.remove('selected-map'));
  const channel = position.length === 3 ? position[2]! : 0;
  const figure = figures.maps.get(layer)?.[channel];
  if (figure) {
    figure.frame.classList.add('selected-map');
    const [row, col] = position.length === 3 ? position : [position[0]!, 0];
    addBox(figure, { top: row!, left: col!, bottom: row!, right: col! }, 'selected-cell');
  }
  if (field) addBox(figures.input, field, 'field-box');
}

function column(key: string, heading: string, detail: string): { root: HTMLElement; head: HTMLElement; body: HTMLElement } {
  const root = element('div', 'flow-column');
  root.setAttribute('role', 'listitem');
  root.dataset.layer = key;
  const head = element('button', 'column-head');
  head.append(element('span', 'column-name', heading), element('span', 'column-type muted', detail));
  const body = element('div', 'column-body');
  root.append(head, body);
  return { root, head, body };
}

function channelMaps(layer: FlowLayer, colours: ColourTable): MapFigure[] {
  const size = layer.channelsShown > CHANNELS_PER_COLUMN ? SMALL_MAP_SIZE : MAP_SIZE;
  return activationTiles(layer.activations, colours).map((tile, channel) => mapFigure(tile, size, `${layer.name}, channel ${channel}`));
}

/** A vector layer as a vertical strip, one cell per unit (a 1×N tile has the same pixels as N×1). */
function unitStrip(layer: FlowLayer, colours: ColourTable): MapFigure {
  const [strip] = activationTiles(layer.activations, colours) as [Tile];
  const vertical: Tile = { ...strip, width: 1, height: strip.width };
  const figure = mapFigure(vertical, Math.min(STRIP_MAX, Math.max(40, vertical.height * 6)), `${layer.name}: ${vertical.height} units`);
  figure.canvas.style.width = `${STRIP_WIDTH}px`;
  figure.frame.classList.add('unit-strip');
  return figure;
}

function predictionColumn(prediction: Prediction, label: number | undefined): HTMLElement {
  const { root, body } = column('prediction', 'prediction', prediction.calibrated ? 'calibrated' : 'not calibrated');
  root.classList.add('prediction-column');
  const list = element('ol', 'class-list');
  for (const entry of prediction.ranked.slice(0, TOP_CLASSES)) {
    const item = element('li', 'class-row');
    item.dataset.class = String(entry.index);
    if (entry.index === label) item.classList.add('is-label');
    const bar = element('span', 'class-bar');
    bar.style.width = `${Math.max(1, entry.probability * 100)}%`;
    item.append(element('span', 'class-name', entry.name), element('span', 'class-track', ''), element('span', 'class-value', formatPercent(entry.probability, 1)));
    item.querySelector('.class-track')!.append(bar);
    list.append(item);
  }
  const note = element('p', 'calibration muted', prediction.calibration);
  body.append(list, note);
  return root;
}
