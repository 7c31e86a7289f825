import type { JsonRange } from './summary';

/** A model's layer graph as the diagram and other views receive it. */
export interface GraphNodeJson {
  id: number;
  name: string;
  /** Keras-style class: Conv2D, Dense, Concatenate. */
  type: string;
  op: string;
  outputShape: number[] | null;
  params: number;
  trainableParams: number;
  macs: number;
  /**
   * The analyzer's receptive field on the model's input, [h, w] pixels, and its jump: input
   * pixels between the fields of two neighbouring output units.
   */
  receptiveField: [number, number];
  jump: [number, number];
  range: JsonRange;
  /** Block calls that made the node, outermost first, for collapsing. */
  scope: { block: string; label?: string; instance: number; range: JsonRange }[];
  synthetic?: 'shortcut' | 'residual-add' | 'merge';
}

export interface GraphJson {
  model: string;
  nodes: GraphNodeJson[];
  edges: { from: number; to: number }[];
  outputs: { node: number; name: string; lossWeight: number }[];
}
