import type { LayerNode, ModelGraph } from '../../language/layer-graph';
import type { StateTensor } from '../../language/pytorch/state';
import { layerNames } from '../../language/passes/summarize';
import { tfLayerName } from '../model/compile';
import { tf } from '../backends/tf';
import { permute } from './permute';
import type { NamedTensor } from './safetensors';

/**
 * Moves weights between a compiled ConvLab model and a PyTorch state_dict, from the tensor table
 * the exporter writes (src/language/pytorch). Each layout is a transpose (and, for the first
 * dense layer after a flatten, a reshape that reorders H×W×C into C×H×W).
 */

/** The TensorFlow.js variables that hold one state tensor: one, or one per group. */
function variablesOf(model: tf.LayersModel, graph: ModelGraph, names: string[], tensor: StateTensor): tf.LayerVariable[] {
  const node = graph.nodes[tensor.node]!;
  const base = tfLayerName(names[node.id]!);
  const layerNamesFor = tensor.groups ? Array.from({ length: tensor.groups }, (_, g) => `${base}.g${g}`) : [tensor.part === 'depthwise' ? `${base}.depthwise` : base];
  return layerNamesFor.map((layerName) => {
    const layer = model.getLayer(layerName);
    const wanted = weightNames(tensor);
    const variable = layer.weights.find((w) => wanted.some((name) => w.originalName.endsWith(`/${name}`)));
    if (!variable) throw new Error(`${layerName} has no ${wanted.join(' or ')} weight (it has ${layer.weights.map((w) => w.originalName).join(', ')})`);
    return variable;
  });
}

/** A dilated depthwise convolution keeps its kernel as `kernel` (src/engine/dilated.ts). */
function weightNames(tensor: StateTensor): string[] {
  return tensor.weight === 'depthwise_kernel' ? ['depthwise_kernel', 'kernel'] : [tensor.weight!];
}

interface Array32 {
  data: Float32Array;
  shape: number[];
}

const concat = (parts: Array32[]): Array32 => {
  if (parts.length === 1) return parts[0]!;
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let offset = 0;
  for (const part of parts) {
    data.set(part.data, offset);
    offset += part.data.length;
  }
  return { data, shape: [parts.reduce((n, p) => n + p.shape[0]!, 0), ...parts[0]!.shape.slice(1)] };
};

/** Splits along the first axis into equal parts (the groups of a convolution). */
const split = (whole: Array32, count: number): Array32[] => {
  const size = whole.data.length / count;
  return Array.from({ length: count }, (_, g) => ({ data: whole.data.subarray(g * size, (g + 1) * size), shape: [whole.shape[0]! / count, ...whole.shape.slice(1)] }));
};

/** ConvLab's weight in PyTorch's layout. */
function toTorch(keras: Array32[], tensor: StateTensor): Array32 {
  switch (tensor.layout) {
    case 'conv':
      return concat(keras.map((k) => permute(k.data, k.shape, [3, 2, 0, 1])));
    case 'depthwise': {
      const [kh, kw, c, m] = keras[0]!.shape as [number, number, number, number];
      return { data: permute(keras[0]!.data, keras[0]!.shape, [2, 3, 0, 1]).data, shape: [c * m, 1, kh, kw] };
    }
    case 'dense': {
      const k = keras[0]!;
      if (!tensor.flattened) return permute(k.data, k.shape, [1, 0]);
      const [h, w, c] = tensor.flattened;
      const units = k.shape[1]!;
      return { data: permute(k.data, [h, w, c, units], [3, 2, 0, 1]).data, shape: [units, c * h * w] };
    }
    case 'vector':
      return concat(keras);
    case 'counter':
      throw new Error('a counter has no ConvLab weight');
  }
}

/** A PyTorch tensor in ConvLab's layout, split per group where ConvLab keeps groups apart. */
function toKeras(torch: Array32, tensor: StateTensor, kerasShape: number[]): Array32[] {
  const parts = tensor.groups ? split(torch, tensor.groups) : [torch];
  switch (tensor.layout) {
    case 'conv':
      return parts.map((p) => permute(p.data, p.shape, [2, 3, 1, 0]));
    case 'depthwise': {
      const [kh, kw, c, m] = kerasShape as [number, number, number, number];
      return [permute(torch.data, [c, m, kh, kw], [2, 3, 0, 1])];
    }
    case 'dense': {
      const units = torch.shape[0]!;
      if (!tensor.flattened) return [permute(torch.data, torch.shape, [1, 0])];
      const [h, w, c] = tensor.flattened;
      return [{ data: permute(torch.data, [units, c, h, w], [2, 3, 1, 0]).data, shape: [h * w * c, units] }];
    }
    case 'vector':
      return parts;
    case 'counter':
      return [];
  }
}

/** The model's weights as a state_dict, in the module's registration order. */
export function stateDictOf(model: tf.LayersModel, graph: ModelGraph, tensors: StateTensor[]): Map<string, NamedTensor> {
  const names = layerNames(graph);
  const state = new Map<string, NamedTensor>();
  for (const tensor of tensors) {
    if (tensor.layout === 'counter') {
      state.set(tensor.key, { dtype: 'I64', shape: [], data: new BigInt64Array(1) });
      continue;
    }
    const keras = variablesOf(model, graph, names, tensor).map((v) => ({ data: v.read().dataSync() as Float32Array, shape: v.shape as number[] }));
    state.set(tensor.key, { dtype: 'F32', shape: tensor.shape, data: toTorch(keras, tensor).data });
  }
  return state;
}

/** One reason a state_dict does not fit the model, with the layer it concerns (for its line). */
export interface StateMismatch {
  message: string;
  node?: LayerNode;
}

/** Every way the state_dict differs from the model: missing and extra keys, shapes that differ. */
export function checkStateDict(graph: ModelGraph, tensors: StateTensor[], state: Map<string, NamedTensor>): StateMismatch[] {
  const names = layerNames(graph);
  const problems: StateMismatch[] = [];
  const expected = new Set(tensors.map((t) => t.key));
  for (const tensor of tensors) {
    const node = graph.nodes[tensor.node]!;
    const given = state.get(tensor.key);
    if (!given) {
      // A checkpoint saved before num_batches_tracked existed (PyTorch < 0.4.1) lacks it: harmless.
      if (tensor.layout !== 'counter') problems.push({ message: `missing key ${tensor.key} (layer ${names[node.id]}, ${shapeText(tensor.shape)})`, node });
      continue;
    }
    if (shapeText(given.shape) !== shapeText(tensor.shape)) {
      problems.push({ message: `${tensor.key} (layer ${names[node.id]}): the file has shape ${shapeText(given.shape)}, the model needs ${shapeText(tensor.shape)}`, node });
    }
  }
  for (const key of state.keys()) if (!expected.has(key)) problems.push({ message: `unexpected key ${key}: the model has no such tensor` });
  return problems;
}

/** Sets the model's weights from a state_dict that checkStateDict accepted. */
export function loadStateDict(model: tf.LayersModel, graph: ModelGraph, tensors: StateTensor[], state: Map<string, NamedTensor>): void {
  const names = layerNames(graph);
  for (const tensor of tensors) {
    if (tensor.layout === 'counter') continue;
    const given = state.get(tensor.key)!;
    const variables = variablesOf(model, graph, names, tensor);
    const parts = toKeras({ data: given.data as Float32Array, shape: given.shape }, tensor, variables[0]!.shape as number[]);
    parts.forEach((part, i) => {
      const value = tf.tensor(part.data, variables[i]!.shape as number[]);
      variables[i]!.write(value);
      value.dispose();
    });
  }
}

const shapeText = (shape: number[]) => `[${shape.join(', ')}]`;
