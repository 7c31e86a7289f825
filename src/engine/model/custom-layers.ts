import { tf } from '../backends/tf';

/**
 * Layers that TensorFlow.js lacks but the language has. Each is registered for serialisation,
 * so checkpoints that contain them load again.
 */

/** Takes channels [start, start + size) of an NHWC tensor: the parts of a grouped convolution. */
export class ChannelSlice extends tf.layers.Layer {
  static className = 'ConvLabChannelSlice';
  private readonly start: number;
  private readonly size: number;

  constructor(config: { start: number; size: number; name?: string }) {
    super(config);
    this.start = config.start;
    this.size = config.size;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.size];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.slice(x, [0, 0, 0, this.start], [-1, -1, -1, this.size]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), start: this.start, size: this.size };
  }
}

/**
 * Local response normalisation with PyTorch's and the AlexNet paper's parameters
 * (size n, α, β, k): x / (k + α/n · Σ x²)^β over n neighbouring channels.
 */
export class LocalResponseNorm extends tf.layers.Layer {
  static className = 'ConvLabLocalResponseNorm';
  private readonly size: number;
  private readonly alpha: number;
  private readonly beta: number;
  private readonly k: number;

  constructor(config: { size: number; alpha: number; beta: number; k: number; name?: string }) {
    super(config);
    this.size = config.size;
    this.alpha = config.alpha;
    this.beta = config.beta;
    this.k = config.k;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    // TensorFlow sums over 2r + 1 channels and does not divide α by the window.
    return tf.localResponseNormalization(x, Math.floor((this.size - 1) / 2), this.k, this.alpha / this.size, this.beta);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size, alpha: this.alpha, beta: this.beta, k: this.k };
  }
}

type BatchNormConfig = Parameters<typeof tf.layers.batchNormalization>[0];
const BatchNormalization = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as new (config?: BatchNormConfig) => tf.layers.Layer;

/**
 * Batch normalisation that always uses its moving statistics, also while the model trains:
 * how a pretrained base's batchnorm runs, so a frozen base computes the features it learned
 * and small batches cannot disturb its statistics (Keras does this for trainable = False).
 */
export class InferenceBatchNorm extends BatchNormalization {
  static className = 'ConvLabInferenceBatchNorm';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    return super.call(inputs, { ...kwargs, training: false });
  }
}

tf.serialization.registerClass(ChannelSlice);
tf.serialization.registerClass(InferenceBatchNorm as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>);
tf.serialization.registerClass(LocalResponseNorm);
