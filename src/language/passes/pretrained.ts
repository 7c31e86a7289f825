import type { LayerStatement } from '../ast';
import { closest, type DiagnosticCode } from '../diagnostic-sink';
import type { Attrs, LayerNode } from '../layer-graph';
import { readKerasTopology, TopologyError, type KerasLayer, type KerasTopology } from './keras-model';
import { formatShape } from './ops';
import type { Span } from '../text';

/** What a host reads for a `pretrained` line: model.json's text and where it was found, or why not. */
export type BaseModelText = { text: string; location: string } | { error: string };
export type ReadBaseModel = (source: string) => BaseModelText;

/** A `pretrained` source that hosts fetch rather than read from disk. */
export const isUrlSource = (source: string): boolean => /^https?:\/\//i.test(source);

/** A node that came from a pretrained base with its weights (not one rebuilt from scratch). */
export const isBaseNode = <Node extends LayerNode>(node: Node): node is Node & { attrs: { baseLayer: string; baseSource: string } } => typeof node.attrs.baseLayer === 'string';

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

/** Parsed topologies by location, reused while the file's text is unchanged (re-analysis per keystroke). */
const topologies = new Map<string, { text: string; topology: KerasTopology }>();

export function topologyOf(read: { text: string; location: string }): KerasTopology {
  const cached = topologies.get(read.location);
  if (cached && cached.text === read.text) return cached.topology;
  const topology = readKerasTopology(read.text);
  if (topologies.size > 16) topologies.clear();
  topologies.set(read.location, { text: read.text, topology });
  return topology;
}

export type BaseResolution =
  | { ok: true; plan: BasePlan; name: string; location: string }
  | { ok: false; code: DiagnosticCode; span: Span; message: string; hint?: string };

/** Reads, parses, cuts and freezes the base a `pretrained` line names, or says what is wrong and where. */
export function resolveBase(statement: LayerStatement, attrs: Attrs, readBaseModel: ReadBaseModel | undefined): BaseResolution {
  const source = attrs.source as string;
  const sourceSpan = statement.args[0]?.span ?? statement.span;
  const read = readBaseModel?.(source) ?? { error: 'no file access here' };
  if ('error' in read) {
    return { ok: false, code: 'base-unavailable', span: sourceSpan, message: `cannot read the pretrained base ${source}: ${read.error}`, hint: 'give the path of a TensorFlow.js layers model.json, relative to this file' };
  }
  let topology: KerasTopology;
  try {
    topology = topologyOf(read);
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error;
    return { ok: false, code: 'base-unavailable', span: sourceSpan, message: `${source} is ${error.message}` };
  }
  if (attrs.scratch === true && attrs.freeze !== undefined) {
    return { ok: false, code: 'bad-value', span: statement.span, message: 'a base trained from scratch has no learned weights to freeze', hint: 'remove freeze, or scratch' };
  }
  const plan = planBase(topology, attrs.until as string | undefined, attrs.freeze as LayerSelection | undefined);
  if ('where' in plan) {
    const span = plan.where === 'source' ? statement.span : optionValueSpan(statement, plan.where) ?? statement.span;
    return { ok: false, code: plan.where === 'source' ? 'unsupported-layer' : 'unknown-name', span, message: plan.message, hint: plan.hint };
  }
  return { ok: true, plan, name: topology.name, location: read.location };
}

/**
 * Why a base cannot take an input shape, if it cannot. A fully convolutional cut (no flatten or
 * dense) takes any height and width, as Keras' applications do with include_top=False; the
 * channels must match.
 */
export function baseInputProblem(base: { plan: BasePlan; name: string }, shape: readonly number[]): { message: string; hint: string } | undefined {
  const { plan } = base;
  const convolutional = plan.layers.every((l) => l.op !== 'flatten' && l.op !== 'dense');
  const expected = plan.inputShape.map((d, i) => (convolutional && i < plan.inputShape.length - 1 ? null : d));
  if (shape.length === expected.length && expected.every((d, i) => d === null || d === shape[i])) return undefined;
  return {
    message: `the pretrained base ${base.name} takes ${expected.map((d) => d ?? 'any').join('×')} inputs, but gets ${formatShape(shape)}`,
    hint: `change the input line to ${expected.map((d, i) => d ?? shape[i] ?? 224).join('x')}`,
  };
}

/** The span of the value after an option word on a layer line (`until out_relu`). */
export function optionValueSpan(statement: LayerStatement, option: string): Span | undefined {
  const at = statement.args.findIndex((arg) => arg.kind === 'name' && arg.name === option);
  return at >= 0 ? statement.args[at + 1]?.span : undefined;
}
