import type { TrainSpec } from '../../language/passes/train-spec';
import { tf } from '../backends/tf';
import { FusedAdamOptimizer, FusedMomentumOptimizer, FusedRmspropOptimizer, FusedSgdOptimizer } from './fused-optimizers';

/** The optimizer a `train` section names, with its hyper-parameters (fused on WebGPU, fused-optimizers.ts). */
export function makeOptimizer(spec: TrainSpec['optimizer']): tf.Optimizer {
  switch (spec.name) {
    case 'sgd':
      return spec.momentum > 0 ? new FusedMomentumOptimizer(spec.lr, spec.momentum, spec.nesterov) : new FusedSgdOptimizer(spec.lr);
    case 'adam':
      return new FusedAdamOptimizer(spec.lr, spec.beta1, spec.beta2, 1e-7);
    case 'rmsprop':
      return new FusedRmspropOptimizer(spec.lr, 0.9, spec.momentum, 1e-7);
  }
}

export { learningRateOf, setLearningRate } from '../backends/tf-internals';
