import type { CompiledModel } from '../model/compile';
import { hits, totalLoss, type ObjectiveOptions } from './objective';
import { tf } from '../backends/tf';
import { variableOf } from '../backends/tf-internals';
import type { ModelGraph } from '../../language/layer-graph';
import type { GradientFlowEvent } from '../../protocol/engine';
import { GradientFlowProbe } from './gradient-flow';

/** Where a recording step falls in the run, for its event. */
export interface StepPosition {
  epoch: number;
  batch: number;
  step: number;
}

/** What the trainer needs of a training step, in one thread or spread over several (parallel/). */
export interface Stepper {
  /** One optimizer step; resolves with the batch's mean loss and its top-1 and top-5 hits. */
  run(x: Float32Array, labels: Int32Array, count: number): Promise<[number, number, number]>;
  /** As run, and measures the layers' gradient flow on the way (gradient-flow.ts). */
  runRecording(x: Float32Array, labels: Int32Array, count: number, at: StepPosition): Promise<{ result: [number, number, number]; flow: GradientFlowEvent }>;
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
  async runRecording(x: Float32Array, labels: Int32Array, count: number, at: StepPosition): Promise<{ result: [number, number, number]; flow: GradientFlowEvent }> {
    return this.step.runRecording(x, labels, count, at);
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
  private probe: GradientFlowProbe | undefined;

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

  /**
   * Lets runRecording name the layers as `graph` does, with their 1-based source lines. Built
   * once: the probe is a second view of the same layers, with the relus' outputs added.
   */
  recordGradientFlow(graph: ModelGraph, lineOf: (offset: number) => number): void {
    this.probe ??= new GradientFlowProbe(graph, this.compiled, this.trainable, lineOf);
  }

  /**
   * The same optimizer step as run, split into computing and applying the gradients (as
   * minimize does) so their statistics come from the gradients the step has anyway; the
   * weights before the update are clones, which share memory until the optimizer assigns.
   */
  async runRecording(x: Float32Array, labels: Int32Array, count: number, at: StepPosition): Promise<{ result: [number, number, number]; flow: GradientFlowEvent }> {
    const probe = this.probe;
    if (!probe) throw new Error('runRecording needs recordGradientFlow first');
    const packed = tf.tidy(() => {
      const xs = tf.tensor(x, [count, ...this.inputShape]);
      const ys = tf.tensor1d(labels, 'int32');
      let hitCounts: tf.Tensor | undefined;
      let dead: tf.Tensor | undefined;
      const before = this.trainable.map((v) => tf.clone(v));
      const { value, grads } = this.optimizer.computeGradients(() => {
        const { outputs, dead: deadShares } = probe.apply(xs);
        dead = tf.keep(deadShares);
        const { correct, top5 } = hits(outputs[0]!, ys, this.objective.classCount);
        hitCounts = tf.keep(tf.stack([correct, top5]));
        return totalLoss(outputs, ys, this.objective, this.kernels);
      }, this.trainable);
      // In the variables' order, as minimize passes them: the optimizers' slots are by position.
      const gradients = this.trainable.map((v) => grads[v.name]!);
      this.optimizer.applyGradients(this.trainable.map((v, i) => ({ name: v.name, tensor: gradients[i]! })));
      const statistics = probe.statistics(gradients, before, this.trainable, dead!);
      const result = tf.concat([value.reshape([1]), hitCounts!, statistics]);
      hitCounts!.dispose();
      dead!.dispose();
      return result;
    });
    const values = await packed.data();
    packed.dispose();
    return { result: [values[0]!, values[1]!, values[2]!], flow: probe.event(values.subarray(3), at) };
  }
}
