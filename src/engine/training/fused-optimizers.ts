// Adam, SGD with momentum and RMSprop whose update, on the webgpu backend, is one fused kernel call a
// variable (kernels/webgpu/optimizer_update.ts) instead of a dozen elementwise ops; elsewhere
// they are tfjs's own. They keep tfjs's state (the same slot variables, names and order), so
// checkpoints, resume and getWeights are those of tf.train.adam, .momentum and .rmsprop.
import { ADAM_UPDATE, MOMENTUM_UPDATE, RMSPROP_UPDATE } from '../kernels/webgpu/optimizer_update';
import { tf } from '../backends/tf';

type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
type Slot = { originalName: string; variable: tf.Variable };

const named = (gradients: Gradients): { name: string; tensor: tf.Tensor | undefined }[] =>
  Array.isArray(gradients) ? gradients.map((g) => ({ name: g.name, tensor: g.tensor as tf.Tensor | undefined })) : Object.keys(gradients).map((name) => ({ name, tensor: gradients[name] }));

function slot(slots: (Slot | undefined)[], i: number, name: string, suffix: string, value: tf.Variable): tf.Variable {
  slots[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
  return slots[i].variable;
}

const registered = (name: string): tf.Variable => tf.engine().registeredVariables[name]!;

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    if (tf.getBackend() !== 'webgpu') return super.applyGradients(variableGradients);
    const self = this as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable; accumulatedFirstMoment: (Slot | undefined)[]; accumulatedSecondMoment: (Slot | undefined)[] };
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, self.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, self.accBeta2);
      named(variableGradients).forEach(({ name, tensor }, i) => {
        const value = registered(name);
        const m = slot(self.accumulatedFirstMoment, i, name, 'm', value);
        const v = slot(self.accumulatedSecondMoment, i, name, 'v', value);
        if (tensor == null) return;
        const [newValue, newM, newV] = tf.engine().runKernel(ADAM_UPDATE, { value, firstMoment: m, secondMoment: v, grad: tensor, oneMinusAccBeta1, oneMinusAccBeta2 },
          { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, learningRate: this.learningRate }) as tf.Tensor[];
        m.assign(newM!);
        v.assign(newV!);
        value.assign(newValue!);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, this.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

export class FusedMomentumOptimizer extends tf.MomentumOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    if (tf.getBackend() !== 'webgpu') return super.applyGradients(variableGradients);
    const self = this as unknown as { accumulations: (Slot | undefined)[]; momentum: number; useNesterov: boolean };
    named(variableGradients).forEach(({ name, tensor }, i) => {
      const value = registered(name);
      const accumulation = tf.tidy(() => slot(self.accumulations, i, name, 'momentum', value));
      if (tensor == null) return;
      tf.tidy(() => {
        const [newValue, newAccumulation] = tf.engine().runKernel(MOMENTUM_UPDATE, { value, accumulation, grad: tensor },
          { momentum: self.momentum, learningRate: this.learningRate, nesterov: self.useNesterov }) as tf.Tensor[];
        accumulation.assign(newAccumulation!);
        value.assign(newValue!);
      });
    });
    this.incrementIterations();
  }
}

export class FusedRmspropOptimizer extends tf.RMSPropOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    const self = this as unknown as { centered: boolean; accumulatedMeanSquares: (Slot | undefined)[]; accumulatedMoments: (Slot | undefined)[] };
    // The centred variant keeps a third slot; it stays tfjs's own.
    if (tf.getBackend() !== 'webgpu' || self.centered) return super.applyGradients(variableGradients);
    named(variableGradients).forEach(({ name, tensor }, i) => {
      const value = registered(name);
      const meanSquare = tf.tidy(() => slot(self.accumulatedMeanSquares, i, name, 'rms', value));
      const moment = tf.tidy(() => slot(self.accumulatedMoments, i, name, 'momentum', value));
      if (tensor == null) return;
      tf.tidy(() => {
        const [newValue, newMeanSquare, newMoment] = tf.engine().runKernel(RMSPROP_UPDATE, { value, meanSquare, moment, grad: tensor },
          { decay: this.decay, momentum: this.momentum, epsilon: this.epsilon, learningRate: this.learningRate }) as tf.Tensor[];
        meanSquare.assign(newMeanSquare!);
        moment.assign(newMoment!);
        value.assign(newValue!);
      });
    });
    this.incrementIterations();
  }
}
