import type { CompiledModel } from '../model/compile';
import { hits, totalLoss, type ObjectiveOptions } from './objective';
import { tf } from '../backends/tf';
import { variableOf } from '../backends/tf-internals';

/** What the trainer needs of a training step, in one thread or spread over several (parallel/). */
export interface Stepper {
  /** One optimizer step; resolves with the batch's mean loss and its top-1 and top-5 hits. */
  run(x: Float32Array, labels: Int32Array, count: number): Promise<[number, number, number]>;
  /** Brings the trainer's model and optimizer up to date, before it evaluates or saves them. */
  pull(): Promise<void>;
  /** Hands the trainer's model and optimizer (loaded from a checkpoint) to the step. */
  push(): Promise<void>;
  setLearningRate(value: number): Promise<void>;
  dispose(): Promise<void>;
}

/** In one thread the trainer's own model and optimizer are the ones that train. */
export class SerialStepper implements Stepper {
  constructor(private readonly step: TrainingStep) {}
  async run(x: Float32Array, labels: Int32Array, count: number): Promise<[number, number, number]> {
    return this.step.run(x, labels, count);
  }
  async pull(): Promise<void> {}
  async push(): Promise<void> {}
  async setLearningRate(): Promise<void> {}
  async dispose(): Promise<void> {}
}

/** One model's optimizer step on a batch of plain arrays: what the trainer and the benchmarks share. */
export class TrainingStep {
  private readonly trainable: tf.Variable[];
  /** Kernels only (no biases, no batchnorm): what L2 weight decay applies to. */
  private readonly kernels: tf.Variable[];
  private readonly inputShape: number[];

  constructor(private readonly compiled: CompiledModel, private readonly optimizer: tf.Optimizer, private readonly objective: ObjectiveOptions) {
    this.trainable = compiled.model.trainableWeights.map(variableOf);
    this.kernels = compiled.model.trainableWeights.filter((w) => /kernel$/.test(w.originalName)).map(variableOf);
    this.inputShape = (compiled.model.inputs[0]!.shape as number[]).slice(1);
  }

  /** Runs the step; returns the batch's mean loss and its top-1 and top-5 hits. */
  async run(x: Float32Array, labels: Int32Array, count: number): Promise<[number, number, number]> {
    const packed = tf.tidy(() => {
      const xs = tf.tensor(x, [count, ...this.inputShape]);
      const ys = tf.tensor1d(labels, 'int32');
      let hitCounts: tf.Tensor | undefined;
      const loss = this.optimizer.minimize(() => {
        const out = this.compiled.model.apply(xs, { training: true }) as tf.Tensor | tf.Tensor[];
        const outputs = Array.isArray(out) ? out : [out];
        const { correct, top5 } = hits(outputs[0]!, ys, this.objective.classCount);
        hitCounts = tf.keep(tf.stack([correct, top5]));
        return totalLoss(outputs, ys, this.objective, this.kernels);
      }, true, this.trainable)!;
      const result = tf.concat([loss.reshape([1]), hitCounts!]);
      // Kept to leave the gradient scope, so this tidy would not free it.
      hitCounts!.dispose();
      return result;
    });
    // Read asynchronously: WebGPU in Node has no synchronous read-back (it needs OffscreenCanvas).
    const values = await packed.data();
    packed.dispose();
    return [values[0]!, values[1]!, values[2]!];
  }
}
