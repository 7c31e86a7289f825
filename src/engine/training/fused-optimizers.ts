// SGD (plain or with momentum), Adam and RMSprop whose update, on the webgpu backend, is one fused kernel call a
// large variable (kernels/webgpu/optimizer_update.ts) instead of a dozen elementwise ops, and one
// packed call for all the small ones together; elsewhere they are tfjs's own. They keep tfjs's state (the same slot variables, names and order), so
// checkpoints, resume and getWeights are those of tf.train.adam, .momentum and .rmsprop.
import { ADAM_UPDATE, MOMENTUM_UPDATE, PACKED, RMSPROP_UPDATE, SGD_UPDATE } from '../kernels/webgpu/optimizer_update';
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

/**
 * Variables of at most this many elements share one packed update: below it a dispatch's fixed
 * cost dominates, above it copying the variable in and out would cost more than it saves.
 */
export const PACK_LIMIT = 16384;

interface Update {
  value: tf.Variable;
  slots: tf.Variable[];
  grad: tf.Tensor;
}

/**
 * Runs `kernelName` on each large variable and its packed form once over the small ones (when
 * there are two or more), and assigns the new values and slots. Call inside tf.tidy.
 */
function applyFused(kernelName: string, slotNames: string[], updates: Update[], scalars: Record<string, tf.Tensor>, attrs: Record<string, number | boolean>): void {
  const small = updates.filter((u) => u.value.size <= PACK_LIMIT);
  const packed = small.length >= 2 ? small : [];
  const assign = (u: Update, outputs: tf.Tensor[]) => {
    u.slots.forEach((slotVariable, j) => slotVariable.assign(outputs[j + 1]!));
    u.value.assign(outputs[0]!);
  };
  for (const u of updates) {
    if (packed.includes(u)) continue;
    const inputs: tf.NamedTensorMap = { value: u.value, grad: u.grad, ...scalars };
    slotNames.forEach((name, j) => { inputs[name] = u.slots[j]!; });
    assign(u, tf.engine().runKernel(kernelName, inputs, attrs) as tf.Tensor[]);
  }
  if (packed.length === 0) return;
  const inputs: tf.NamedTensorMap = { ...scalars };
  packed.forEach((u, i) => {
    inputs[`value${i}`] = u.value;
    inputs[`grad${i}`] = u.grad;
    slotNames.forEach((name, j) => { inputs[`${name}${i}`] = u.slots[j]!; });
  });
  const outputs = tf.engine().runKernel(kernelName + PACKED, inputs, { ...attrs, count: packed.length }) as tf.Tensor[];
  const per = slotNames.length + 1;
  packed.forEach((u, i) => assign(u, outputs.slice(i * per, (i + 1) * per)));
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    if (tf.getBackend() !== 'webgpu') return super.applyGradients(variableGradients);
    const self = this as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable; accumulatedFirstMoment: (Slot | undefined)[]; accumulatedSecondMoment: (Slot | undefined)[] };
    tf.tidy(() => {
      const updates: Update[] = [];
      named(variableGradients).forEach(({ name, tensor }, i) => {
        const value = registered(name);
        const m = slot(self.accumulatedFirstMoment, i, name, 'm', value);
        const v = slot(self.accumulatedSecondMoment, i, name, 'v', value);
        if (tensor != null) updates.push({ value, slots: [m, v], grad: tensor });
      });
      const scalars = { oneMinusAccBeta1: tf.sub(1, self.accBeta1), oneMinusAccBeta2: tf.sub(1, self.accBeta2) };
      applyFused(ADAM_UPDATE, ['firstMoment', 'secondMoment'], updates, scalars, { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, learningRate: this.learningRate });
      self.accBeta1.assign(tf.mul(self.accBeta1, this.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

export class FusedSgdOptimizer extends tf.SGDOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    if (tf.getBackend() !== 'webgpu') return super.applyGradients(variableGradients);
    tf.tidy(() => {
      const updates: Update[] = named(variableGradients).filter(({ tensor }) => tensor != null).map(({ name, tensor }) => ({ value: registered(name), slots: [], grad: tensor! }));
      applyFused(SGD_UPDATE, [], updates, {}, { learningRate: this.learningRate });
    });
    this.incrementIterations();
  }
}

export class FusedMomentumOptimizer extends tf.MomentumOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    if (tf.getBackend() !== 'webgpu') return super.applyGradients(variableGradients);
    const self = this as unknown as { accumulations: (Slot | undefined)[]; momentum: number; useNesterov: boolean };
    tf.tidy(() => {
      const updates: Update[] = [];
      named(variableGradients).forEach(({ name, tensor }, i) => {
        const value = registered(name);
        const accumulation = slot(self.accumulations, i, name, 'momentum', value);
        if (tensor != null) updates.push({ value, slots: [accumulation], grad: tensor });
      });
      applyFused(MOMENTUM_UPDATE, ['accumulation'], updates, {}, { momentum: self.momentum, learningRate: this.learningRate, nesterov: self.useNesterov });
    });
    this.incrementIterations();
  }
}

export class FusedRmspropOptimizer extends tf.RMSPropOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    const self = this as unknown as { centered: boolean; accumulatedMeanSquares: (Slot | undefined)[]; accumulatedMoments: (Slot | undefined)[] };
    // The centred variant keeps a third slot; it stays tfjs's own.
    if (tf.getBackend() !== 'webgpu' || self.centered) return super.applyGradients(variableGradients);
    tf.tidy(() => {
      const updates: Update[] = [];
      named(variableGradients).forEach(({ name, tensor }, i) => {
        const value = registered(name);
        const meanSquare = slot(self.accumulatedMeanSquares, i, name, 'rms', value);
        const moment = slot(self.accumulatedMoments, i, name, 'momentum', value);
        if (tensor != null) updates.push({ value, slots: [meanSquare, moment], grad: tensor });
      });
      applyFused(RMSPROP_UPDATE, ['meanSquare', 'moment'], updates, {}, { decay: this.decay, momentum: this.momentum, epsilon: this.epsilon, learningRate: this.learningRate });
    });
    this.incrementIterations();
  }
}
