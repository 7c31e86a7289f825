import { tf } from '../backends/tf';

/**
 * A dilated convolution that trains. TensorFlow.js' conv and depthwise gradients refuse dilation
 * rates above 1, so this layer keeps the compact K×K kernel as its weight and spreads it into a
 * (d(K−1)+1)² kernel with zeros between the taps on every call, with differentiable ops (pad,
 * reshape, slice), then runs an undilated convolution. The result and the parameter count are
 * those of the dilated convolution; the gradient reaches only the real taps.
 */
export class DilatedConvolution extends tf.layers.Layer {
  static className = 'ConvLabDilatedConvolution';
  private readonly settings: DilatedSettings;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(config: DilatedSettings & { name?: string }) {
    super(config);
    this.settings = { ...config };
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const inChannels = (inputShape as tf.Shape)[3] as number;
    const { kind, kernel, filters = 1, multiplier = 1, seed, std } = this.settings;
    const outPerChannel = kind === 'conv' ? filters : multiplier;
    const initialiser = std === undefined ? tf.initializers.glorotUniform({ seed }) : tf.initializers.randomNormal({ mean: 0, stddev: std, seed });
    this.kernel = this.addWeight('kernel', [kernel[0], kernel[1], inChannels, outPerChannel], 'float32', initialiser);
    if (this.settings.useBias) this.bias = this.addWeight('bias', [kind === 'conv' ? filters : inChannels * multiplier], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, h, w, c] = inputShape as [number | null, number, number, number];
    const { kernel, dilation, strides, padding, kind, filters = 1, multiplier = 1 } = this.settings;
    const size = (n: number, i: 0 | 1) => {
      const span = dilation[i] * (kernel[i] - 1) + 1;
      return padding === 'same' ? Math.ceil(n / strides[i]) : Math.floor((n - span) / strides[i]) + 1;
    };
    return [batch, size(h, 0), size(w, 1), kind === 'conv' ? filters : c * multiplier];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const spread = spreadKernel(this.kernel!.read() as tf.Tensor4D, this.settings.dilation);
      const { strides, padding } = this.settings;
      let y = this.settings.kind === 'conv' ? tf.conv2d(x, spread, strides, padding) : tf.depthwiseConv2d(x, spread, strides, padding);
      if (this.bias) y = y.add(this.bias.read());
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { kind, kernel, dilation, strides, padding, useBias, filters, multiplier, std } = this.settings;
    return { ...super.getConfig(), kind, kernel, dilation, strides, padding, useBias, filters: filters ?? null, multiplier: multiplier ?? null, ...(std === undefined ? {} : { std }) };
  }
}

export interface DilatedSettings {
  kind: 'conv' | 'depthwise';
  filters?: number;
  multiplier?: number;
  kernel: [number, number];
  dilation: [number, number];
  strides: [number, number];
  padding: 'same' | 'valid';
  useBias: boolean;
  seed?: number;
  /** The kernel starts as N(0, std²) instead of Glorot uniform (`init normal std S`). */
  std?: number;
}

/** [kh, kw, a, b] → [d(kh−1)+1, d(kw−1)+1, a, b], zeros between taps; every op has a gradient. */
export function spreadKernel(kernel: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  const spreadFirstAxis = (k: tf.Tensor4D, d: number): tf.Tensor4D => {
    if (d === 1) return k;
    const [n, b, c, e] = k.shape;
    const gaps = k.reshape([n, 1, b * c * e]).pad([[0, 0], [0, d - 1], [0, 0]]).reshape([n * d, b, c, e]) as tf.Tensor4D;
    return gaps.slice([0, 0, 0, 0], [d * (n - 1) + 1, b, c, e]);
  };
  const rows = spreadFirstAxis(kernel, dh);
  return spreadFirstAxis(rows.transpose([1, 0, 2, 3]) as tf.Tensor4D, dw).transpose([1, 0, 2, 3]) as tf.Tensor4D;
}

tf.serialization.registerClass(DilatedConvolution);
