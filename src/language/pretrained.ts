import { closest } from './diagnostics';
import type { Attrs } from './graph';
import type { KerasLayer, KerasTopology } from './keras-model';

/**
 * A pretrained base as layers of the language: each Keras layer of model.json becomes the
 * node our own line would make (Conv2D → conv, DepthwiseConv2D → dwconv, …), so shapes,
 * counts, the diagram and the engine treat a base like written layers. The engine loads each
 * node's weights by its Keras name.
 */
export interface BaseLayer {
  kerasName: string;
  op: string;
  attrs: Attrs;
  /** Keras names of the layers it reads; the model's input layer stands for the line before. */
  inputs: string[];
  frozen: boolean;
}

export interface BasePlan {
  /** The kept layers in file order, the input layer left out. */
  layers: BaseLayer[];
  inputName: string;
  inputShape: (number | null)[];
  /** The last kept layer: the base's output. */
  output: string;
}

export type BaseProblem = { where: 'until' | 'freeze' | 'source'; message: string; hint?: string };

/** Which layers of a base train: `all`, the first N in file order, or up to and including a name. */
export type LayerSelection = number | string;

const ACTIVATION_OF: Record<string, string> = { relu: 'relu', relu6: 'relu6', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', linear: 'linear', elu: 'elu', gelu: 'gelu' };

/** Cuts a topology at `until`, marks what `freeze` freezes and maps every kept layer. */
export function planBase(topology: KerasTopology, until: string | undefined, freeze: LayerSelection | undefined): BasePlan | BaseProblem {
  const byName = new Map(topology.layers.map((layer, index) => [layer.name, { layer, index }]));
  const names = topology.layers.map((l) => l.name);
  const input = topology.layers.find((l) => l.className === 'InputLayer')!;
  const output = until ?? topology.layers[topology.layers.length - 1]!.name;
  if (!byName.has(output)) return unknownLayer('until', output, names);
  const kept = ancestors(output, byName);
  const frozenUpTo = frozenIndex(freeze, byName, names, topology.layers.length);
  if (typeof frozenUpTo !== 'number') return frozenUpTo;
  const layers: BaseLayer[] = [];
  for (const [index, layer] of topology.layers.entries()) {
    if (!kept.has(layer.name) || layer === input) continue;
    const mapped = mapLayer(layer);
    if ('unsupported' in mapped) return { where: 'source', message: `layer ${layer.name} of the base is a ${layer.className}${mapped.unsupported ? ` (${mapped.unsupported})` : ''}, which ConvLab cannot read`, hint: 'cut the base before it with until, or see docs/transfer.md for the layers a base may have' };
    layers.push({ kerasName: layer.name, ...mapped, inputs: layer.inbound, frozen: index < frozenUpTo });
  }
  return { layers, inputName: input.name, inputShape: topology.inputShape, output };
}

/** The layers `name` is computed from, itself included. */
function ancestors(name: string, byName: Map<string, { layer: KerasLayer }>): Set<string> {
  const seen = new Set<string>();
  const stack = [name];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...byName.get(next)!.layer.inbound);
  }
  return seen;
}

/** Layers with a file index below the result are frozen. */
function frozenIndex(freeze: LayerSelection | undefined, byName: Map<string, { index: number }>, names: string[], count: number): number | BaseProblem {
  if (freeze === undefined || freeze === 'none') return 0;
  if (freeze === 'all') return count;
  if (typeof freeze === 'number') return freeze;
  const found = byName.get(freeze);
  return found ? found.index + 1 : unknownLayer('freeze', freeze, names);
}

function unknownLayer(where: 'until' | 'freeze', name: string, names: string[]): BaseProblem {
  const near = closest(name, names);
  return { where, message: `the base has no layer named '${name}'`, hint: near ? `did you mean '${near}'?` : `its last layers: ${names.slice(-5).join(', ')}` };
}

type Mapped = { op: string; attrs: Attrs } | { unsupported: string };

const pairOf = (value: unknown, fallback: number): [number, number] =>
  Array.isArray(value) ? [Number(value[0]), Number(value[1] ?? value[0])] : typeof value === 'number' ? [value, value] : [fallback, fallback];

function activationOf(config: Record<string, unknown>): string | undefined {
  const name = typeof config.activation === 'string' ? config.activation : 'linear';
  return ACTIVATION_OF[name];
}

function windowAttrs(config: Record<string, unknown>): Attrs {
  return {
    kernel: pairOf(config.kernel_size, 1), stride: pairOf(config.strides, 1), dilation: pairOf(config.dilation_rate, 1),
    padding: config.padding === 'same' ? 'same' : 'valid', bias: config.use_bias !== false,
  };
}

/** One Keras layer as our op and attributes, or why it cannot be. */
export function mapLayer(layer: KerasLayer): Mapped {
  const c = layer.config;
  if (c.data_format === 'channels_first') return { unsupported: 'channels first' };
  const activation = activationOf(c);
  const withActivation = (op: string, attrs: Attrs): Mapped =>
    activation === undefined ? { unsupported: `activation ${String(c.activation)}` } : { op, attrs: { ...attrs, activation } };
  switch (layer.className) {
    case 'Conv2D':
      if (c.padding === 'causal') return { unsupported: 'causal padding' };
      return withActivation('conv', { filters: Number(c.filters), groups: typeof c.groups === 'number' ? c.groups : 1, ...windowAttrs(c) });
    case 'DepthwiseConv2D':
      return withActivation('dwconv', { multiplier: typeof c.depth_multiplier === 'number' ? c.depth_multiplier : 1, ...windowAttrs(c) });
    case 'SeparableConv2D':
      return withActivation('sepconv', { filters: Number(c.filters), multiplier: typeof c.depth_multiplier === 'number' ? c.depth_multiplier : 1, ...windowAttrs(c) });
    case 'Dense':
      return withActivation('dense', { units: Number(c.units), bias: c.use_bias !== false });
    case 'BatchNormalization': {
      const axis = Array.isArray(c.axis) ? c.axis[0] : c.axis;
      if (axis !== -1 && axis !== 3 && axis !== undefined) return { unsupported: `axis ${String(axis)}` };
      return { op: 'batchnorm', attrs: { eps: Number(c.epsilon ?? 0.001), momentum: Number(c.momentum ?? 0.99), scale: c.scale !== false, center: c.center !== false, activation: 'linear' } };
    }
    case 'ReLU': {
      const max = c.max_value;
      const slope = Number(c.negative_slope ?? 0);
      if (Number(c.threshold ?? 0) !== 0) return { unsupported: 'a threshold' };
      if (slope === 0 && (max === null || max === undefined)) return { op: 'relu', attrs: {} };
      if (slope === 0 && Number(max) === 6) return { op: 'relu6', attrs: {} };
      if (max === null || max === undefined) return { op: 'leakyrelu', attrs: { alpha: slope } };
      return { unsupported: `max_value ${String(max)}` };
    }
    case 'LeakyReLU':
      return { op: 'leakyrelu', attrs: { alpha: Number(c.alpha ?? c.negative_slope ?? 0.3) } };
    case 'ELU':
      return { op: 'elu', attrs: { alpha: Number(c.alpha ?? 1) } };
    case 'Activation':
      return activation === undefined ? { unsupported: `activation ${String(c.activation)}` } : { op: activation, attrs: {} };
    case 'ZeroPadding2D': {
      const p = c.padding;
      if (Array.isArray(p) && Array.isArray(p[0])) {
        const [[top, bottom], [left, right]] = p as [[number, number], [number, number]];
        return { op: 'zeropad', attrs: top === bottom && left === right ? { size: [top, left] } : { size: [top, left], sides: [top, bottom, left, right] } };
      }
      return { op: 'zeropad', attrs: { size: pairOf(p, 1) } };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const kernel = pairOf(c.pool_size, 2);
      return { op: layer.className === 'MaxPooling2D' ? 'maxpool' : 'avgpool', attrs: { kernel, stride: c.strides === null || c.strides === undefined ? kernel : pairOf(c.strides, 1), padding: c.padding === 'same' ? 'same' : 'valid', ceil: false } };
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      if (c.keepdims === true) return { unsupported: 'keepdims' };
      return { op: layer.className === 'GlobalAveragePooling2D' ? 'globalavgpool' : 'globalmaxpool', attrs: {} };
    case 'Flatten':
      return { op: 'flatten', attrs: {} };
    case 'Dropout':
      return { op: 'dropout', attrs: { rate: Number(c.rate ?? 0.5) } };
    case 'Add':
      return { op: 'add', attrs: {} };
    case 'Concatenate': {
      const axis = c.axis ?? -1;
      return axis === -1 || axis === 3 ? { op: 'concat', attrs: {} } : { unsupported: `axis ${String(axis)}` };
    }
    default:
      return { unsupported: '' };
  }
}

/** The layer names a `freeze` or `until` may name, for completion and hints. */
export function layerNamesOf(topology: KerasTopology): string[] {
  return topology.layers.map((l) => l.name);
}
