import { tf } from '../backends/tf';
import { batchNormFieldsOf } from '../backends/tf-internals';
import { BATCHNORM_TRAIN, MOVING_AVERAGE } from '../kernels/webgpu/batchnorm';

type BatchNormConfig = Parameters<typeof tf.layers.batchNormalization>[0];
const BatchNormalization = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as new (config?: BatchNormConfig) => tf.layers.Layer;

/**
 * tfjs-layers' BatchNormalization, whose training pass on the webgpu backend runs our fused
 * kernels (kernels/webgpu/batchnorm.ts: statistics, normalisation and moving averages in 5
 * dispatches, the gradient in 4) instead of tfjs's composed ops. It computes what the stock layer
 * does (biased batch variance, moving statistics moved by 1 − momentum) and keeps its class name,
 * weights and config, so checkpoints are unchanged; elsewhere, in inference, or where the layer
 * has no gamma or beta or normalises another axis, it is the stock layer.
 */
export class TrainingBatchNorm extends BatchNormalization {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const f = batchNormFieldsOf(this);
    const lastAxis = f.axis === -1 || f.axis === x.rank - 1;
    const fused = kwargs['training'] === true && lastAxis && f.gamma !== undefined && f.beta !== undefined
      && tf.getBackend() === 'webgpu' && tf.getKernel(BATCHNORM_TRAIN, 'webgpu') !== undefined;
    if (!fused) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const [y, stats] = tf.engine().runKernel(BATCHNORM_TRAIN, { x, scale: f.gamma!.read(), offset: f.beta!.read() }, { epsilon: f.epsilon }) as tf.Tensor[];
      const decay = 1 - f.momentum;
      f.movingMean.write(tf.engine().runKernel(MOVING_AVERAGE, { moving: f.movingMean.read(), stats: stats! }, { row: 0, decay }) as tf.Tensor);
      f.movingVariance.write(tf.engine().runKernel(MOVING_AVERAGE, { moving: f.movingVariance.read(), stats: stats! }, { row: 1, decay }) as tf.Tensor);
      return y!;
    });
  }
}

// Under tfjs's own class name, so that a saved model loads back as this layer.
tf.serialization.SerializationMap.register(TrainingBatchNorm as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
