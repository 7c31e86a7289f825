/**
 * "Explain an image", second half: the sum behind one value of a layer, with the numbers that
 * went into it. A convolution's value is its window on the layer's input times the kernel, per
 * input channel, plus the bias, through the activation; a pooling value is its window's max or
 * mean; a dense unit's value is its largest input × weight terms, the rest summed, plus the bias,
 * through the activation. The engine's own value travels beside the terms, so the sum can be
 * checked against it.
 */
import type { LayerNode, ModelGraph } from '../../language/layer-graph';
import { findLayerIndex, layerNames, layerType } from '../../language/passes/summarize';
import type { ActivationStep, ConvUnit, DenseUnit, ExplainUnitRequest, PoolUnit, UnitExplanation, Window } from '../../protocol/explain';
import { tfLayerName } from '../model/compile';
import { ModelFileError } from '../model/model-file';
import type { InspectableModel } from './feature-maps';
import type { Example } from './forward-flow';
import { activationOf, logitsOf, nodeValues, softmaxFoldedOut, STANDALONE_ACTIVATIONS, type NodeValues } from './node-values';
import { receptiveRegion, windowOf } from './receptive-field';

/** How many of a dense unit's terms are shown one by one; the others are summed. */
export const DENSE_TOP_TERMS = 12;

/** Whether a node's values can be explained here, and as what. */
export function explainerOf(node: LayerNode): { kind: UnitExplanation['kind'] } | { why: string } {
  switch (node.op) {
    case 'conv':
      return { kind: 'conv' };
    case 'maxpool':
    case 'avgpool':
    case 'globalavgpool':
    case 'globalmaxpool':
      return { kind: 'pool' };
    case 'dense':
      return { kind: 'dense' };
    default:
      return STANDALONE_ACTIVATIONS.has(node.op) ? { kind: 'activation' } : { why: `${layerType(node)} values are shown, but only convolutions, pooling, dense layers and activations explain theirs` };
  }
}

export function explainUnit(model: InspectableModel, example: Example, request: Pick<ExplainUnitRequest, 'layer' | 'position'>): UnitExplanation {
  const { graph } = model.loaded;
  const names = layerNames(graph);
  const index = findLayerIndex(graph, request.layer);
  if (index < 0) throw new ModelFileError(`model ${graph.name} has no layer '${request.layer}' (layers: ${names.join(', ')})`);
  const node = graph.nodes[index]!;
  const explainer = explainerOf(node);
  if ('why' in explainer) throw new ModelFileError(`${names[index]}: ${explainer.why}`);
  const source = graph.nodes[node.inputs[0]!]!;
  const shape = node.outputShape!;
  const position = request.position;
  if (position.length !== shape.length || position.some((p, d) => p >= shape[d]!)) {
    throw new ModelFileError(`${names[index]}: position [${position.join(', ')}] is outside its output ${shape.join('×')}`);
  }
  const values = nodeValues(model, example.x, source.id === 0 ? [index] : [source.id, index]);
  const input: NodeValues = source.id === 0 ? { values: example.x, shape: graph.nodes[0]!.outputShape! } : values.get(source.id)!;
  const output = values.get(index)!;
  const flat = position.reduce((at, p, d) => at * shape[d]! + p, 0);
  const common = {
    layer: names[index]!, type: layerType(node), position: [...position], inputLayer: names[source.id]!, inputShape: input.shape,
    value: output.values[flat]!,
    ...(shape.length === 3 ? { receptiveField: receptiveRegion(graph, index, position[0]!, position[1]!) } : {}),
  };
  switch (explainer.kind) {
    case 'conv':
      return { kind: 'conv', ...common, ...convolutionTerms(model, node, input, position) };
    case 'pool':
      return { kind: 'pool', ...common, ...poolingTerms(node, input, position) };
    case 'dense':
      return { kind: 'dense', ...common, ...denseTerms(model, example, node, input, position[0]!) };
    case 'activation': {
      const step = activationStep(model, example, node, input.values);
      return { kind: 'activation', ...common, input: input.values[flat]!, activation: step };
    }
  }
}

function convolutionTerms(model: InspectableModel, node: LayerNode, input: NodeValues, [row, column, channel]: number[]): Omit<ConvUnit, 'kind' | keyof UnitBase> {
  const geometry = windowOf(node, input.shape)!;
  const [H, W, C] = input.shape as [number, number, number];
  const filters = node.outputShape![2]!;
  const groups = (node.attrs as { groups?: number }).groups ?? 1;
  const perGroupOut = filters / groups;
  const perGroupIn = C / groups;
  const group = Math.floor(channel! / perGroupOut);
  const filter = channel! - group * perGroupOut;
  const name = tfLayerName(layerNames(model.loaded.graph)[node.id]!);
  const layer = model.compiled.model.getLayer(groups === 1 ? name : `${name}.g${group}`);
  const [kernelTensor, biasTensor] = layer.getWeights();
  const kernel = kernelTensor!.dataSync() as Float32Array;
  const bias = biasTensor ? (biasTensor.dataSync() as Float32Array)[filter]! : 0;
  const [kh, kw] = geometry.kernel;
  const [dh, dw] = geometry.dilation;
  const window: Window = { top: row! * geometry.stride[0] - geometry.before[0], left: column! * geometry.stride[1] - geometry.before[1], height: kh, width: kw, dilation: [dh, dw] };
  const channels = Array.from({ length: perGroupIn }, (_, local) => {
    const c = group * perGroupIn + local;
    const values: number[] = [];
    const weights: number[] = [];
    let sum = 0;
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const r = window.top + a * dh;
        const q = window.left + b * dw;
        // Zero padding: the cell is in the sum with the value 0.
        const value = r >= 0 && r < H && q >= 0 && q < W ? input.values[(r * W + q) * C + c]! : 0;
        const weight = kernel[((a * kw + b) * perGroupIn + local) * perGroupOut + filter]!;
        values.push(value);
        weights.push(weight);
        sum += value * weight;
      }
    }
    return { channel: c, values, weights, sum };
  });
  const preActivation = channels.reduce((total, c) => total + c.sum, bias);
  return { window, channels, bias, preActivation, activation: activationOf(node) };
}

function poolingTerms(node: LayerNode, input: NodeValues, [row, column, channel]: number[]): Omit<PoolUnit, 'kind' | keyof UnitBase> {
  const [H, W, C] = input.shape as [number, number, number];
  const global = node.op === 'globalavgpool' || node.op === 'globalmaxpool';
  const mode = node.op === 'maxpool' || node.op === 'globalmaxpool' ? 'max' : 'average';
  const geometry = global ? { kernel: [H, W], stride: [1, 1], dilation: [1, 1], before: [0, 0], padding: 'zeros' as const } : windowOf(node, input.shape)!;
  const c = global ? row! : channel!;
  const window: Window = global
    ? { top: 0, left: 0, height: H, width: W, dilation: [1, 1] }
    : { top: row! * geometry.stride[0]! - geometry.before[0]!, left: column! * geometry.stride[1]! - geometry.before[1]!, height: geometry.kernel[0]!, width: geometry.kernel[1]!, dilation: [1, 1] };
  const values: (number | null)[] = [];
  for (let a = 0; a < window.height; a++) {
    for (let b = 0; b < window.width; b++) {
      const r = window.top + a;
      const q = window.left + b;
      const inside = r >= 0 && r < H && q >= 0 && q < W;
      // 'same' pooling leaves padding out; explicit `pad` and ceil mode pad with zeros that count.
      values.push(inside ? input.values[(r * W + q) * C + c]! : geometry.padding === 'excluded' ? null : 0);
    }
  }
  const counted = values.flatMap((v, i) => (v === null ? [] : [[v, i] as const]));
  if (mode === 'max') {
    const chosen = counted.reduce((best, cell) => (cell[0] > best[0] ? cell : best))[1];
    return { mode, window, channel: c, values, chosen };
  }
  return { mode, window, channel: c, values, divisor: counted.length };
}

function denseTerms(model: InspectableModel, example: Example, node: LayerNode, input: NodeValues, unit: number): Omit<DenseUnit, 'kind' | keyof UnitBase> {
  const { graph } = model.loaded;
  const layer = model.compiled.model.getLayer(tfLayerName(layerNames(graph)[node.id]!));
  const [kernelTensor, biasTensor] = layer.getWeights();
  const kernel = kernelTensor!.dataSync() as Float32Array;
  const units = node.outputShape![0]!;
  const bias = biasTensor ? (biasTensor.dataSync() as Float32Array)[unit]! : 0;
  const terms = Array.from(input.values, (value, k) => ({ index: k, input: value, weight: kernel[k * units + unit]!, product: value * kernel[k * units + unit]! }));
  const ranked = [...terms].sort((a, b) => Math.abs(b.product) - Math.abs(a.product));
  const unflatten = flattenedFrom(graph, node);
  const top = ranked.slice(0, DENSE_TOP_TERMS).map((t) => (unflatten ? { ...t, from: unflatten.position(t.index) } : t));
  const rest = ranked.slice(DENSE_TOP_TERMS);
  const preActivation = terms.reduce((total, t) => total + t.product, bias);
  return { top, ...(unflatten ? { flattenedFrom: unflatten.layer } : {}), rest: { count: rest.length, sum: rest.reduce((total, t) => total + t.product, 0) }, bias, preActivation, activation: activationStep(model, example, node, undefined) };
}

/** The node's activation; for softmax, every pre-activation of the layer, which its value depends on. */
function activationStep(model: InspectableModel, example: Example, node: LayerNode, inputs: Float32Array | undefined): ActivationStep {
  const step = activationOf(node);
  if (step.name !== 'softmax') return step;
  const logits = node.op === 'softmax' ? inputs! : softmaxFoldedOut(model, node) ? logitsOf(model, example.x, node.id) : undefined;
  if (!logits) throw new ModelFileError(`${layerNames(model.loaded.graph)[node.id]}: a softmax inside the model is not explained yet`);
  return { ...step, logits: Array.from(logits) };
}

/** For a dense layer fed by `flatten`: the layer flattened, and the [row, column, channel] in it of each input index. */
function flattenedFrom(graph: ModelGraph, node: LayerNode): { layer: string; position: (index: number) => number[] } | undefined {
  const flatten = graph.nodes[node.inputs[0]!]!;
  const source = flatten.op === 'flatten' ? graph.nodes[flatten.inputs[0]!] : undefined;
  const shape = source?.outputShape;
  if (!source || !shape || shape.length !== 3) return undefined;
  const [, w, c] = shape as [number, number, number];
  return { layer: layerNames(graph)[source.id]!, position: (index) => [Math.floor(index / (w * c)), Math.floor(index / c) % w, index % c] };
}

type UnitBase = Pick<UnitExplanation, 'layer' | 'type' | 'position' | 'inputLayer' | 'inputShape' | 'value' | 'receptiveField'>;
