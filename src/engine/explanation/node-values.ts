/**
 * The values of chosen layers for one input, as the source defines them: the compiled model
 * leaves an output's softmax to the loss, so it is applied here, where a person reads the layer.
 */
import type { LayerNode } from '../../language/layer-graph';
import { tf } from '../backends/tf';
import type { InspectableModel } from './feature-maps';

export interface NodeValues {
  values: Float32Array;
  shape: number[];
}

/** Ops that are an activation alone (`relu` on its own line), as compile.ts builds them. */
export const STANDALONE_ACTIVATIONS: ReadonlySet<string> = new Set(['relu', 'relu6', 'leakyrelu', 'elu', 'gelu', 'tanh', 'sigmoid', 'softmax', 'linear']);

/** The activation a node applies after its sum ('linear' for none), and the slope of leakyrelu and elu. */
export function activationOf(node: LayerNode): { name: string; alpha?: number } {
  const name = STANDALONE_ACTIVATIONS.has(node.op) ? node.op : String(node.attrs.activation ?? 'linear');
  const alpha = (node.attrs as { alpha?: number }).alpha ?? (name === 'leakyrelu' ? 0.01 : name === 'elu' ? 1 : undefined);
  return alpha === undefined ? { name } : { name, alpha };
}

/** True for an output node whose softmax the compiled model leaves out (compile.ts). */
export function softmaxFoldedOut(model: InspectableModel, node: LayerNode): boolean {
  return model.loaded.graph.outputs.some((o) => o.node === node.id) && activationOf(node).name === 'softmax';
}

/** Runs the model once on `x` and reads the outputs of `ids` (their fused activations applied). */
export function nodeValues(model: InspectableModel, x: Float32Array, ids: readonly number[]): Map<number, NodeValues> {
  const { compiled, loaded } = model;
  const inputShape = loaded.graph.nodes[0]!.outputShape!;
  const layerNames = [...new Set(ids.map((id) => compiled.layerOfNode.get(id)!))];
  const outputs = layerNames.map((name) => compiled.model.getLayer(name).output as tf.SymbolicTensor);
  const tensors = tf.tidy(() => {
    const probe = tf.model({ inputs: compiled.model.inputs, outputs });
    const result = probe.predict(tf.tensor(x, [1, ...inputShape]));
    return (Array.isArray(result) ? result : [result]).map((t) => t.squeeze([0]));
  });
  const byLayer = new Map(layerNames.map((name, i) => [name, { values: tensors[i]!.dataSync() as Float32Array, shape: tensors[i]!.shape }]));
  tensors.forEach((t) => t.dispose());
  const values = new Map<number, NodeValues>();
  for (const id of ids) {
    const read = byLayer.get(compiled.layerOfNode.get(id)!)!;
    const node = loaded.graph.nodes[id]!;
    values.set(id, softmaxFoldedOut(model, node) ? { values: softmax(read.values, 1), shape: read.shape } : { values: Float32Array.from(read.values), shape: read.shape });
  }
  return values;
}

/** The pre-activation values of a node whose softmax was folded out: its logits. */
export function logitsOf(model: InspectableModel, x: Float32Array, id: number): Float32Array {
  const { compiled, loaded } = model;
  const layer = compiled.model.getLayer(compiled.layerOfNode.get(id)!);
  return tf.tidy(() => {
    const probe = tf.model({ inputs: compiled.model.inputs, outputs: layer.output as tf.SymbolicTensor });
    return Float32Array.from((probe.predict(tf.tensor(x, [1, ...loaded.graph.nodes[0]!.outputShape!])) as tf.Tensor).dataSync());
  });
}

export function softmax(logits: ArrayLike<number>, temperature: number): Float32Array {
  let top = -Infinity;
  for (let i = 0; i < logits.length; i++) top = Math.max(top, logits[i]!);
  const exps = Array.from(logits, (z) => Math.exp((z - top) / temperature));
  const total = exps.reduce((a, b) => a + b, 0);
  return Float32Array.from(exps, (e) => e / total);
}
