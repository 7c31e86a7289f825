import type { Span } from '../text';

/**
 * How a tensor of the exported module's state_dict relates to ConvLab's weights. The exporter
 * writes these beside the code; the engine moves the numbers (src/engine/pytorch) from them.
 */
export type TensorLayout =
  /** Keras [kh, kw, in, out] ↔ PyTorch [out, in, kh, kw] (OIHW against HWIO). */
  | 'conv'
  /** Keras depthwise [kh, kw, in, multiplier] ↔ PyTorch [in × multiplier, 1, kh, kw]. */
  | 'depthwise'
  /** Keras [in, out] ↔ PyTorch [out, in]. */
  | 'dense'
  /** The same vector on both sides (biases, batchnorm's γ, β and statistics). */
  | 'vector'
  /** PyTorch's num_batches_tracked buffer: no ConvLab counterpart (0 on export, ignored on import). */
  | 'counter';

/** Which Keras weight of a node's layer: the names TensorFlow.js gives them. */
export type KerasWeight = 'kernel' | 'bias' | 'depthwise_kernel' | 'pointwise_kernel' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance';

export interface StateTensor {
  /** The state_dict key: `C1.weight`. */
  key: string;
  /** PyTorch's shape. */
  shape: number[];
  layout: TensorLayout;
  /** The node whose layer holds the weight, and which of its weights. */
  node: number;
  weight?: KerasWeight;
  /** A grouped convolution: ConvLab keeps one layer per group, PyTorch one tensor. */
  groups?: number;
  /** A dilated separable convolution's depthwise half lives in a layer of its own. */
  part?: 'depthwise';
  /**
   * The first dense layer after a flatten: ConvLab orders its inputs H×W×C, PyTorch C×H×W, so
   * the rows of the kernel are permuted by this [H, W, C].
   */
  flattened?: [number, number, number];
  /** Trainable in PyTorch (a parameter) or a buffer. */
  parameter: boolean;
}

/** Export stopped: what has no PyTorch equivalent, and where it is written. */
export class PytorchExportError extends Error {
  constructor(message: string, readonly span: Span) {
    super(message);
    this.name = 'PytorchExportError';
  }
}
