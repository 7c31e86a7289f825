/**
 * Each operation's attributes after binding. To add an op: give it a line in LAYERS
 * (passes/layer-catalogue.ts) and an entry here in `AttrsByOp`; `switch (node.op)` then narrows
 * `node.attrs` to that entry.
 */

/** Where a node of a pretrained base came from; absent for written layers and `scratch` bases. */
export interface BaseOrigin {
  baseSource?: string;
  baseLayer?: string;
  /** A base written as a `.cnn` model (its weights from a PyTorch state_dict): that model's name. */
  baseModel?: string;
  /** Its weights do not train in the current stage. */
  frozen?: boolean;
}

export interface Activated extends BaseOrigin {
  activation?: string;
}

export type Padding = 'same' | 'valid';

export interface WindowAttrs extends Activated {
  kernel: number[];
  stride?: number[];
  dilation?: number[];
  padding?: Padding;
  pad?: number[];
}

/** How the weights of a conv or dense layer start (`init normal std 0.01`); absent is Glorot uniform. */
export interface Initialised {
  init?: 'glorot' | 'normal';
  std?: number;
}

export interface ConvAttrs extends WindowAttrs, Initialised {
  filters: number;
  groups?: number;
  bias?: boolean;
}
export interface DepthwiseConvAttrs extends WindowAttrs {
  multiplier?: number;
  bias?: boolean;
}
export interface SeparableConvAttrs extends WindowAttrs {
  filters: number;
  multiplier?: number;
  bias?: boolean;
}
export interface PoolAttrs extends WindowAttrs {
  ceil?: boolean;
}
export interface SizeAttrs extends Activated {
  size: number[];
}
export interface ZeroPadAttrs extends SizeAttrs {
  /** [top, bottom, left, right] where the sides differ (a Keras base's asymmetric padding). */
  sides?: [number, number, number, number];
}
export interface BatchNormAttrs extends Activated {
  eps: number;
  momentum: number;
  scale?: boolean;
  center?: boolean;
}
export interface LrnAttrs extends Activated {
  size: number;
  alpha: number;
  beta: number;
  k: number;
}
export interface DenseAttrs extends Activated, Initialised {
  units: number;
  bias?: boolean;
}
export interface DropoutAttrs extends Activated {
  rate: number;
}
export interface InputAttrs extends Activated {
  shape: number[];
}
/** A channel range of its input: one part of a `split`. */
export interface SliceAttrs extends Activated {
  start: number;
  size: number;
}
export interface SlopeAttrs extends Activated {
  alpha?: number;
}
export type PlainAttrs = Activated;

export interface AttrsByOp {
  input: InputAttrs;
  conv: ConvAttrs;
  dwconv: DepthwiseConvAttrs;
  sepconv: SeparableConvAttrs;
  maxpool: PoolAttrs;
  avgpool: PoolAttrs;
  globalavgpool: PlainAttrs;
  adaptiveavgpool: SizeAttrs;
  globalmaxpool: PlainAttrs;
  zeropad: ZeroPadAttrs;
  batchnorm: BatchNormAttrs;
  lrn: LrnAttrs;
  dropout: DropoutAttrs;
  flatten: PlainAttrs;
  dense: DenseAttrs;
  concat: PlainAttrs;
  add: PlainAttrs;
  slice: SliceAttrs;
  relu: PlainAttrs;
  relu6: PlainAttrs;
  leakyrelu: SlopeAttrs;
  elu: SlopeAttrs;
  gelu: PlainAttrs;
  tanh: PlainAttrs;
  sigmoid: PlainAttrs;
  softmax: PlainAttrs;
  linear: PlainAttrs;
}

export type LayerOp = keyof AttrsByOp;
