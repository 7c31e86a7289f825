import { parentPort } from 'node:worker_threads';
import { selectBackend } from '../backends/select-backend';
import { compileModel, type CompiledModel } from '../model/compile';
import { hits, totalLoss, type ObjectiveOptions } from '../training/objective';
import { makeOptimizer, setLearningRate } from '../training/optimizers';
import { tf } from '../backends/tf';
import { variableOf } from '../backends/tf-internals';
import { GradientFlowProbe } from '../training/gradient-flow';
import type { Averaging, FromReplica, ReplicaFlow, ReplicaInit, ReplicaState, ToReplica } from './messages';

/**
 * A training replica: one copy of the model on its own single-threaded backend. It computes the
 * gradients of its share of each batch, publishes them in shared memory, and applies the
 * average of every replica's gradients with the same optimizer, so all copies stay equal.
 */
class Replica {
  private readonly compiled: CompiledModel;
  private readonly optimizer: tf.Optimizer;
  private readonly objective: ObjectiveOptions;
  private readonly trainable: tf.Variable[];
  private readonly kernels: tf.Variable[];
  /** slots[parity][replica] */
  private readonly slots: Float32Array[][];
  readonly slotLength: number;
  private probe: GradientFlowProbe | undefined;

  constructor(private readonly init: ReplicaInit) {
    this.compiled = compileModel(init.graph, { seed: init.seed });
    this.optimizer = makeOptimizer(init.optimizer);
    this.objective = { ...init.objective, kinds: this.compiled.outputKinds, lossWeights: this.compiled.lossWeights };
    this.trainable = this.compiled.model.trainableWeights.map(variableOf);
    this.kernels = this.compiled.model.trainableWeights.filter((w) => /kernel$/.test(w.originalName)).map(variableOf);
    this.slotLength = this.trainable.reduce((sum, v) => sum + v.size, 0);
    this.slots = [0, 1].map((parity) =>
      Array.from({ length: init.replicas }, (_, r) => new Float32Array(init.gradients, (parity * init.replicas + r) * this.slotLength * 4, this.slotLength)));
  }

  /** Gradients of the mean loss over this share, written to this replica's slot. */
  compute(x: Float32Array, labels: Int32Array, count: number, parity: number, record = false): FromReplica {
    const probe = record ? (this.probe ??= new GradientFlowProbe(this.init.graph, this.compiled, this.trainable, () => 0)) : undefined;
    if (count === 0) return { type: 'computed', loss: 0, correct: 0, top5: 0, ...(probe ? { flow: { weightSquares: this.squares(this.trainable), unitMaxima: [] } } : {}) };
    let flow: ReplicaFlow | undefined;
    const inputShape = (this.compiled.model.inputs[0]!.shape as number[]).slice(1);
    const result = tf.tidy(() => {
      const xs = tf.tensor(x, [count, ...inputShape]);
      const ys = tf.tensor1d(labels, 'int32');
      let counts: tf.Tensor | undefined;
      let maxima: tf.Tensor[] = [];
      const { value, grads } = tf.variableGrads(() => {
        let outputs: tf.Tensor[];
        if (probe) {
          const probed = probe.applyWithMaxima(xs);
          outputs = probed.outputs;
          maxima = probed.maxima.map((m) => tf.keep(m));
        } else {
          const out = this.compiled.model.apply(xs, { training: true }) as tf.Tensor | tf.Tensor[];
          outputs = Array.isArray(out) ? out : [out];
        }
        const { correct, top5 } = hits(outputs[0]!, ys, this.objective.classCount);
        counts = tf.keep(tf.stack([correct, top5]));
        return totalLoss(outputs, ys, this.objective, this.kernels);
      }, this.trainable);
      const slot = this.slots[parity]![this.init.slot]!;
      let offset = 0;
      for (const v of this.trainable) {
        slot.set(grads[v.name]!.dataSync() as Float32Array, offset);
        offset += v.size;
      }
      if (probe) flow = { weightSquares: this.squares(this.trainable), unitMaxima: maxima.map((m) => m.dataSync() as Float32Array) };
      maxima.forEach((m) => m.dispose());
      const packed = tf.concat([value.reshape([1]), counts!]);
      counts!.dispose();
      return packed;
    });
    const [loss, correct, top5] = result.dataSync();
    result.dispose();
    return { type: 'computed', loss: loss!, correct: correct!, top5: top5!, ...(flow ? { flow } : {}) };
  }

  /** Each tensor's sum of squares, read back at once. */
  private squares(tensors: tf.Tensor[]): number[] {
    const packed = tf.tidy(() => (tensors.length === 0 ? tf.zeros([0]) : tf.stack(tensors.map((t) => tf.sum(tf.square(t))))));
    const values = Array.from(packed.dataSync());
    packed.dispose();
    return values;
  }

  /** The average of every replica's gradients, weighted by their shares of the batch. */
  apply({ parity, shares }: Averaging, measure = false): number[] | undefined {
    const before = measure ? this.trainable.map((v) => tf.clone(v)) : undefined;
    tf.tidy(() => {
      const averaged: Record<string, tf.Tensor> = {};
      let offset = 0;
      for (const v of this.trainable) {
        const sum = new Float32Array(v.size);
        shares.forEach((share, r) => {
          if (share === 0) return;
          const slot = this.slots[parity]![r]!;
          for (let i = 0; i < v.size; i++) sum[i]! += share * slot[offset + i]!;
        });
        averaged[v.name] = tf.tensor(sum, v.shape);
        offset += v.size;
      }
      this.optimizer.applyGradients(averaged);
    });
    if (!before) return undefined;
    const updates = tf.tidy(() => this.trainable.map((v, i) => tf.sub(v, before[i]!)));
    const squares = this.squares(updates);
    [...before, ...updates].forEach((t) => t.dispose());
    return squares;
  }

  async state(): Promise<ReplicaState> {
    const weights = this.compiled.model.getWeights().map((w) => w.dataSync() as Float32Array);
    const named = await this.optimizer.getWeights();
    const optimizer = named.map(({ name, tensor }) => ({ name, shape: tensor.shape, values: tensor.dataSync() as Float32Array }));
    named.forEach(({ tensor }) => {
      if (!(tensor instanceof tf.Variable)) tensor.dispose();
    });
    return { weights, optimizer };
  }

  async setState(state: ReplicaState): Promise<void> {
    const tensors = this.compiled.model.getWeights().map((w, i) => tf.tensor(state.weights[i]!, w.shape));
    this.compiled.model.setWeights(tensors);
    tensors.forEach((t) => t.dispose());
    if (state.optimizer && state.optimizer.length > 0) {
      await this.optimizer.setWeights(state.optimizer.map(({ name, shape, values }) => ({ name, tensor: tf.tensor(values, shape) })));
    }
  }

  setLearningRate(value: number): void {
    setLearningRate(this.optimizer, value);
  }
}

const port = parentPort!;
let replica: Replica | undefined;
const send = (message: FromReplica, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (message: ToReplica) => {
  void handle(message).catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});

async function handle(message: ToReplica): Promise<void> {
  switch (message.type) {
    case 'init':
      await selectBackend({ force: message.backend, nativeDir: message.nativeDir });
      replica = new Replica(message);
      send({ type: 'ready', slotLength: replica.slotLength });
      return;
    case 'step':
      if (message.apply) replica!.apply(message.apply);
      send(replica!.compute(message.x, message.labels, message.count, message.parity, message.record));
      return;
    case 'apply':
      send({ type: 'applied', updateSquares: replica!.apply(message, message.measure) });
      return;
    case 'getState':
      send({ type: 'state', state: await replica!.state() });
      return;
    case 'setState':
      await replica!.setState(message.state);
      send({ type: 'done' });
      return;
    case 'learningRate':
      replica!.setLearningRate(message.value);
      send({ type: 'done' });
      return;
    case 'close':
      port.close();
      return;
  }
}
