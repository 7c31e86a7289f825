import type { BaseTensor } from './pytorch/base-weights';
import type { Span } from './text';
import type { AttrsByOp, LayerOp } from './layer-attrs';

export type { AttrsByOp, LayerOp } from './layer-attrs';

/** Attribute values after binding: numbers are evaluated, sizes are [h, w]. */
export type AttrValue = number | string | boolean | number[];
export type Attrs = Record<string, AttrValue>;

export interface ParamCount {
  trainable: number;
  nonTrainable: number;
}

/** Where a node came from when it was made by a block call: the call chain, outermost first. */
export interface ScopeFrame {
  block: string;
  /** `inception3a:` written before the call. */
  label?: string;
  callSpan: Span;
  /** Distinguishes two calls of the same block, for collapsing in the diagram. */
  instance: number;
}

/**
 * One layer of an instantiated model: the intermediate form that the engine compiles, the
 * diagram draws and the summary prints. Shapes exclude the batch dimension (NHWC).
 */
interface LayerNodeFields {
  id: number;
  /** The label written in source (`C1`), unique in its model. */
  name?: string;
  inputs: number[];
  /** The statement that made this node. */
  span: Span;
  scope: ScopeFrame[];
  /** Made by the language rather than written: a residual's projection or its add. */
  synthetic?: 'shortcut' | 'residual-add' | 'merge';
  /** null where an earlier error left the shape unknown. */
  outputShape: number[] | null;
  params: ParamCount;
  macs: number;
  /** Receptive field on the input, [h, w] pixels, and the jump (input pixels per output step). */
  receptiveField: [number, number];
  jump: [number, number];
}

/** One node per op: `switch (node.op)` narrows `attrs` to that op's (layer-attrs.ts). */
export type LayerNode = { [Op in LayerOp]: LayerNodeFields & { op: Op; attrs: AttrsByOp[Op] } }[LayerOp];

/** The node of one op (or of some): `NodeOf<'conv'>`. */
export type NodeOf<Op extends LayerOp> = Extract<LayerNode, { op: Op }>;

export interface ModelOutput {
  node: number;
  /** 'main' for the model's own output, the aux head's label otherwise. */
  name: string;
  lossWeight: number;
}

export interface ModelGraph {
  name: string;
  nameSpan: Span;
  span: Span;
  nodes: LayerNode[];
  outputs: ModelOutput[];
  /** Bases written as `.cnn` models: the state_dict each loads, and its tensors by this graph's nodes. */
  stateDictBases?: StateDictBase[];
}

/** A `pretrained MODEL weights "…"` line's weights: where they are and which node takes which tensor. */
export interface StateDictBase {
  model: string;
  /** The state_dict file as the host found it. */
  location: string;
  /** The `pretrained` line, for located errors at train start. */
  span: Span;
  line?: number;
  /** The kept layers' tensors; `node` is this graph's node. */
  tensors: BaseTensor[];
}

export interface ModelTotals {
  params: ParamCount & { total: number };
  macs: number;
  /** float32 bytes of every layer's output for one example. */
  activationBytes: number;
  parameterBytes: number;
}

export function totals(graph: ModelGraph): ModelTotals {
  let trainable = 0;
  let nonTrainable = 0;
  let macs = 0;
  let activations = 0;
  for (const node of graph.nodes) {
    trainable += node.params.trainable;
    nonTrainable += node.params.nonTrainable;
    macs += node.macs;
    if (node.outputShape) activations += node.outputShape.reduce((a, b) => a * b, 1);
  }
  return {
    params: { trainable, nonTrainable, total: trainable + nonTrainable },
    macs,
    activationBytes: activations * 4,
    parameterBytes: (trainable + nonTrainable) * 4,
  };
}
