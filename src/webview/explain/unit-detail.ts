/**
 * The sum behind one value, with the numbers the engine used: a convolution's window values ×
 * weights per input channel, the bias and the activation; a pooling window and its max or mean;
 * a dense unit's largest terms, the rest summed, the bias and the activation. The receptive
 * field is outlined on the input, the window on the layer's input.
 */
import type { ActivationStep, ConvUnit, DenseUnit, ExplainFlow, PoolUnit, UnitExplanation, Window } from '../../protocol/explain';
import { activationTiles, imageTile, type ColourTable } from '../featuremaps/tiles';
import { element } from '../shared/dom';
import { formatValue } from '../shared/format';
import { addBox, mapFigure } from './marks';

const FIGURE_SIZE = 168;
/** Convolution channels drawn as grids; the others are summed on one line. */
const CHANNEL_GRIDS = 6;

export function renderUnit(container: HTMLElement, unit: UnitExplanation, flow: ExplainFlow, colours: ColourTable): void {
  container.hidden = false;
  container.dataset.kind = unit.kind;
  const where = unit.position.length === 3 ? `row ${unit.position[0]}, column ${unit.position[1]}, channel ${unit.position[2]}` : `unit ${unit.position[0]}`;
  const heading = element('h2', 'unit-title', `${unit.layer} (${unit.type}) · ${where} = ${formatValue(unit.value)}`);
  const figures = element('div', 'unit-figures');
  if (unit.receptiveField) {
    const input = mapFigure(imageTile(flow.input), FIGURE_SIZE, 'The input with the receptive field outlined');
    addBox(input, unit.receptiveField, 'field-box');
    const f = unit.receptiveField;
    figures.append(figure(input.frame, `receptive field on the input: rows ${f.top}–${f.bottom}, columns ${f.left}–${f.right} (${f.bottom - f.top + 1}×${f.right - f.left + 1} pixels)`));
  }
  const window = unit.kind === 'conv' || unit.kind === 'pool' ? unit.window : undefined;
  if (window) figures.append(windowFigure(unit as ConvUnit | PoolUnit, window, flow, colours));
  const sum = element('div', 'sum');
  switch (unit.kind) {
    case 'conv':
      convolutionSum(sum, unit);
      break;
    case 'pool':
      poolingSum(sum, unit);
      break;
    case 'dense':
      denseSum(sum, unit);
      break;
    case 'activation':
      sum.append(line('activation-line', `${activationText(unit.activation, formatValue(unit.input))} = ${formatValue(unit.value)}`));
      break;
  }
  container.replaceChildren(heading, figures, sum);
}

/** The layer's input map (the channel with the largest share of the sum) with the window outlined. */
function windowFigure(unit: ConvUnit | PoolUnit, window: Window, flow: ExplainFlow, colours: ColourTable): HTMLElement {
  const channel = unit.kind === 'pool' ? unit.channel : [...unit.channels].sort((a, b) => Math.abs(b.sum) - Math.abs(a.sum))[0]!.channel;
  const source = flow.layers.find((l) => l.name === unit.inputLayer);
  const encoded = source ? source.activations : flow.input;
  const tiles = source ? activationTiles(encoded, colours) : [imageTile(encoded)];
  const tile = tiles[Math.min(channel, tiles.length - 1)]!;
  const map = mapFigure(tile, FIGURE_SIZE, `${unit.inputLayer}, channel ${channel}, with the window outlined`);
  const box = { top: window.top, left: window.left, bottom: window.top + (window.height - 1) * window.dilation[0]!, right: window.left + (window.width - 1) * window.dilation[1]! };
  addBox(map, box, 'window-box');
  const outside = window.top < 0 || window.left < 0 || box.bottom >= tile.height || box.right >= tile.width;
  return figure(map.frame, `${window.height}×${window.width} window on ${unit.inputLayer}, channel ${channel}: rows ${box.top}–${box.bottom}, columns ${box.left}–${box.right}${outside ? ' (partly in the padding)' : ''}`);
}

function convolutionSum(container: HTMLElement, unit: ConvUnit): void {
  const ranked = [...unit.channels].sort((a, b) => Math.abs(b.sum) - Math.abs(a.sum));
  const grids = element('div', 'channel-grids');
  for (const channel of ranked.slice(0, CHANNEL_GRIDS)) {
    const box = element('div', 'channel-grid');
    box.dataset.channel = String(channel.channel);
    box.append(element('div', 'grid-title', `input channel ${channel.channel}: window × kernel`));
    box.append(termGrid(unit.window, channel.values.map((v, k) => ({ value: v, weight: channel.weights[k]!, padded: isPadding(unit, k) }))));
    box.append(element('div', 'grid-sum', `Σ = ${formatValue(channel.sum)}`));
    grids.append(box);
  }
  container.append(grids);
  const others = ranked.slice(CHANNEL_GRIDS);
  const parts = ranked.slice(0, CHANNEL_GRIDS).map((c) => ({ value: c.sum, text: '' }));
  if (others.length > 0) parts.push({ value: others.reduce((s, c) => s + c.sum, 0), text: ` (the other ${others.length} channels)` });
  container.append(
    line('sum-line', `${signedSum(parts)} + bias ${formatValue(unit.bias)} = ${formatValue(unit.preActivation)}`),
    line('activation-line', `${activationText(unit.activation, formatValue(unit.preActivation))} = ${formatValue(unit.value)}`),
  );
}

function poolingSum(container: HTMLElement, unit: PoolUnit): void {
  const grid = element('div', 'term-grid pool-grid');
  grid.style.gridTemplateColumns = `repeat(${unit.window.width}, auto)`;
  unit.values.forEach((value, k) => {
    const cell = element('div', `term-cell${value === null ? ' excluded' : ''}${k === unit.chosen ? ' chosen' : ''}`, value === null ? '—' : formatValue(value));
    cell.title = value === null ? 'padding, left out' : String(value);
    grid.append(cell);
  });
  container.append(grid);
  const counted = unit.values.filter((v): v is number => v !== null);
  const text = unit.mode === 'max'
    ? `max(${counted.map(formatValue).join(', ')}) = ${formatValue(unit.value)}`
    : `(${counted.map(formatValue).join(' + ')}) / ${unit.divisor} = ${formatValue(unit.value)}`;
  container.append(line('sum-line', text));
}

function denseSum(container: HTMLElement, unit: DenseUnit): void {
  const table = element('table', 'dense-terms');
  const head = element('tr');
  for (const title of ['input', `value (${unit.inputLayer})`, '× weight', '= term']) head.append(element('th', undefined, title));
  table.append(head);
  for (const term of unit.top) {
    const row = element('tr');
    row.dataset.index = String(term.index);
    const from = term.from ? ` (${unit.flattenedFrom ?? ''} row ${term.from[0]}, column ${term.from[1]}, channel ${term.from[2]})` : '';
    for (const text of [`#${term.index}${from}`, formatValue(term.input), formatValue(term.weight), formatValue(term.product)]) row.append(element('td', undefined, text));
    table.append(row);
  }
  const rest = element('tr', 'rest-row');
  rest.append(element('td', undefined, `the other ${unit.rest.count} terms`), element('td'), element('td'), element('td', undefined, formatValue(unit.rest.sum)));
  table.append(rest);
  container.append(
    table,
    line('sum-line', `Σ ${unit.top.length + unit.rest.count} terms + bias ${formatValue(unit.bias)} = ${formatValue(unit.preActivation)}`),
    line('activation-line', `${activationText(unit.activation, formatValue(unit.preActivation))} = ${formatValue(unit.value)}`),
  );
}

/** "0.2 − 0.06 + 0.01": the terms with their signs written as operators. */
export function signedSum(terms: { value: number; text: string }[]): string {
  return terms.map((t, i) => {
    const magnitude = `${formatValue(i === 0 ? t.value : Math.abs(t.value))}${t.text}`;
    return i === 0 ? magnitude : `${t.value < 0 ? ' − ' : ' + '}${magnitude}`;
  }).join('');
}

/** Cells of value × weight, in the window's shape; padding cells are marked. */
function termGrid(window: Window, cells: { value: number; weight: number; padded: boolean }[]): HTMLElement {
  const grid = element('div', 'term-grid');
  grid.style.gridTemplateColumns = `repeat(${window.width}, auto)`;
  for (const cell of cells) {
    const node = element('div', `term-cell${cell.padded ? ' padded' : ''}`);
    node.append(element('span', 'term-value', formatValue(cell.value)), element('span', 'term-weight', `×${formatValue(cell.weight)}`));
    node.title = `${cell.value} × ${cell.weight} = ${cell.value * cell.weight}${cell.padded ? ' (zero padding)' : ''}`;
    grid.append(node);
  }
  return grid;
}

function isPadding(unit: ConvUnit, k: number): boolean {
  const [h, w] = unit.inputShape as [number, number];
  const row = unit.window.top + Math.floor(k / unit.window.width) * unit.window.dilation[0]!;
  const column = unit.window.left + (k % unit.window.width) * unit.window.dilation[1]!;
  return row < 0 || row >= h || column < 0 || column >= w;
}

/** The activation written out with its argument: relu(z) = max(0, z), softmax over the layer's logits. */
function activationText(step: ActivationStep, z: string): string {
  switch (step.name) {
    case 'linear':
      return `no activation: ${z}`;
    case 'relu':
      return `relu: max(0, ${z})`;
    case 'relu6':
      return `relu6: min(max(0, ${z}), 6)`;
    case 'leakyrelu':
      return `leaky relu: ${z} if positive, else ${step.alpha} × ${z}`;
    case 'elu':
      return `elu: ${z} if positive, else ${step.alpha} × (e^${z} − 1)`;
    case 'sigmoid':
      return `sigmoid: 1 / (1 + e^−${z})`;
    case 'tanh':
      return `tanh(${z})`;
    case 'gelu':
      return `gelu: ${z} × Φ(${z})`;
    case 'softmax':
      return `softmax: e^${z} / Σ e^z over the ${step.logits?.length ?? '?'} logits (largest ${formatValue(Math.max(...(step.logits ?? [0])))})`;
    default:
      return `${step.name}(${z})`;
  }
}

function figure(content: HTMLElement, caption: string): HTMLElement {
  const node = element('figure', 'unit-figure');
  node.append(content, element('figcaption', 'muted', caption));
  return node;
}

function line(className: string, text: string): HTMLElement {
  return element('div', `equation ${className}`, text);
}
