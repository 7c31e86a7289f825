import type { LayerNode } from '../layer-graph';
import { LAYER_BY_OP } from './layer-catalogue';

/**
 * The CNN-against-MLP figure (the assignment's question 1): a dense layer joining an input
 * volume to an output volume has a weight for every input-output pair and a bias for every
 * output, where a convolution shares one small kernel across positions. The hover gives it for
 * one layer, the summary for every convolution; both read it here.
 */
export function denseEquivalentParams(input: readonly number[], output: readonly number[]): number {
  const inputs = input.reduce((a, b) => a * b, 1);
  const outputs = output.reduce((a, b) => a * b, 1);
  return inputs * outputs + outputs;
}

/** A convolution's input shape and what a dense layer in its place would cost; undefined for other layers or unknown shapes. */
export function denseEquivalentOf(node: LayerNode, nodes: readonly LayerNode[]): { inputShape: number[]; params: number } | undefined {
  if (LAYER_BY_OP.get(node.op)?.category !== 'convolution' || !node.outputShape) return undefined;
  const first = node.inputs[0];
  const inputShape = first === undefined ? null : nodes[first]?.outputShape ?? null;
  if (!inputShape) return undefined;
  return { inputShape, params: denseEquivalentParams(inputShape, node.outputShape) };
}
