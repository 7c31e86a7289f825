import { tf } from '../backends/tf';

/**
 * PyTorch's AdaptiveAvgPool2d on NHWC: output cell i averages input rows ⌊i·in/out⌋ up to
 * ⌈(i+1)·in/out⌉ (and columns alike), so any input size gives an out×out map; smaller inputs
 * are spread over several cells (2×2 → 4×4 copies each value into a 2×2 patch). Rows first, then
 * columns: the average over a rectangle is the average of its row averages. Slices and means
 * have gradients on every backend, so no kernel of its own is needed.
 */
export class AdaptiveAveragePooling extends tf.layers.Layer {
  static className = 'ConvLabAdaptiveAveragePooling';
  private readonly size: [number, number];

  constructor(config: { size: [number, number]; name?: string }) {
    super(config);
    this.size = config.size;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0]!, this.size[0], this.size[1], shape[3]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    return tf.tidy(() => poolAxis(poolAxis(x, 1, this.size[0]), 2, this.size[1]));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size };
  }
}

/** Bins of PyTorch's adaptive pooling along one axis: [start, end) for each output cell. */
export function adaptiveBins(input: number, output: number): [number, number][] {
  return Array.from({ length: output }, (_, i) => [Math.floor((i * input) / output), Math.ceil(((i + 1) * input) / output)]);
}

function poolAxis(x: tf.Tensor4D, axis: 1 | 2, output: number): tf.Tensor4D {
  const input = x.shape[axis];
  if (input === output) return x;
  const begin = [0, 0, 0, 0];
  const size = [-1, -1, -1, -1];
  const cells = adaptiveBins(input, output).map(([start, end]) => {
    begin[axis] = start;
    size[axis] = end - start;
    return tf.mean(tf.slice(x, begin, size), axis, true);
  });
  return tf.concat(cells, axis) as tf.Tensor4D;
}

tf.serialization.registerClass(AdaptiveAveragePooling);
