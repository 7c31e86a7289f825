import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ModelGraph } from '../../language/layer-graph';
import type { TrainSpec } from '../../language/passes/train-spec';
import type { BackendName } from '../../protocol/engine';
import type { CompiledModel } from '../model/compile';
import type { ObjectiveOptions } from '../training/objective';
import type { Stepper, StepPosition } from '../training/step';
import type { GradientFlowEvent } from '../../protocol/engine';
import { GradientFlowProbe } from '../training/gradient-flow';
import { variableOf } from '../backends/tf-internals';
import { tf } from '../backends/tf';
import type { Averaging, FromReplica, ReplicaState, ToReplica } from './messages';

export interface ParallelOptions {
  graph: ModelGraph;
  seed: number;
  optimizer: TrainSpec['optimizer'];
  objective: ObjectiveOptions;
  backend: BackendName;
  nativeDir?: string;
  replicas: number;
  /** The coordinator's own copy, used to evaluate and to save: kept equal to the replicas by pull(). */
  compiled: CompiledModel;
  coordinatorOptimizer: tf.Optimizer;
  /** 1-based source line of an offset, for gradient-flow events. */
  lineOf?: (offset: number) => number;
}

/**
 * Data-parallel training on several cores: the wasm backend runs one thread in Node, so each
 * replica worker takes a share of every batch on its own backend, and all apply the same
 * averaged gradients (synchronous SGD). The result equals one replica on the whole batch up to
 * float rounding; batchnorm's moving statistics, computed per share, are averaged on pull().
 */
export class ParallelStep implements Stepper {
  private pending: Averaging | undefined;
  private parity = 0;
  private probe: GradientFlowProbe | undefined;

  private constructor(private readonly replicas: ReplicaHandle[], private readonly options: ParallelOptions, private readonly gradients: SharedArrayBuffer, private readonly slotLength: number) {}

  static async start(options: ParallelOptions): Promise<ParallelStep> {
    const slotLength = options.compiled.model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a! * b!, 1)!, 0);
    const gradients = new SharedArrayBuffer(2 * options.replicas * slotLength * 4);
    const { classCount, labelSmoothing, classWeights, weightDecay } = options.objective;
    const replicas = Array.from({ length: options.replicas }, () => new ReplicaHandle());
    const step = new ParallelStep(replicas, options, gradients, slotLength);
    try {
      await Promise.all(replicas.map((replica, slot) => replica.request({
        type: 'init', graph: options.graph, seed: options.seed, optimizer: options.optimizer, backend: options.backend, nativeDir: options.nativeDir,
        objective: { classCount, labelSmoothing, classWeights, weightDecay }, gradients, slot, replicas: options.replicas,
      })));
      // Start from the coordinator's weights, whatever the replicas' initialisers made.
      await step.push();
    } catch (error) {
      await step.dispose();
      throw error;
    }
    return step;
  }

  async run(x: Float32Array, labels: Int32Array, count: number): Promise<[number, number, number]> {
    return (await this.step(x, labels, count, false)).result;
  }

  /**
   * A step whose gradient flow is measured: the replicas report their weights and relu maxima,
   * the averaged gradients are read from shared memory here, and the update is applied at once
   * (not with the next step) so replica 0 can say how large it was.
   */
  async runRecording(x: Float32Array, labels: Int32Array, count: number, at: StepPosition): Promise<{ result: [number, number, number]; flow: GradientFlowEvent }> {
    const { compiled, graph, lineOf } = this.options;
    const probe = (this.probe ??= new GradientFlowProbe(graph, compiled, compiled.model.trainableWeights.map(variableOf), lineOf ?? (() => 0)));
    const { result, replies, parity, shares } = await this.step(x, labels, count, true);
    const gradientSquares = this.averagedGradientSquares(parity, shares);
    this.pending = undefined;
    const applied = await Promise.all(this.replicas.map((r, i) => r.request({ type: 'apply', parity, shares, measure: i === 0 })));
    const updateSquares = (applied[0] as { updateSquares?: number[] }).updateSquares ?? [];
    const flows = replies.map((reply) => reply.flow!);
    const dead = flows[0]!.unitMaxima.map((_, k) => {
      const maxima = flows.filter((f) => f.unitMaxima.length > k).map((f) => f.unitMaxima[k]!);
      let deadUnits = 0;
      for (let u = 0; u < maxima[0]!.length; u++) if (maxima.every((m) => m[u]! <= 0)) deadUnits++;
      return deadUnits / maxima[0]!.length;
    });
    return { result, flow: probe.event(probe.pack(gradientSquares, flows[0]!.weightSquares, updateSquares, dead), at) };
  }

  /** Each variable's ‖averaged gradient‖², from the replicas' slots of one parity. */
  private averagedGradientSquares(parity: number, shares: number[]): number[] {
    const slots = shares.map((_, r) => new Float32Array(this.gradients, (parity * shares.length + r) * this.slotLength * 4, this.slotLength));
    const squares: number[] = [];
    let offset = 0;
    for (const weight of this.options.compiled.model.trainableWeights) {
      const size = weight.shape.reduce((a, b) => a! * b!, 1)!;
      let sum = 0;
      for (let i = offset; i < offset + size; i++) {
        let g = 0;
        shares.forEach((share, r) => (g += share * slots[r]![i]!));
        sum += g * g;
      }
      squares.push(sum);
      offset += size;
    }
    return squares;
  }

  private async step(x: Float32Array, labels: Int32Array, count: number, record: boolean) {
    const size = x.length / count;
    const per = Math.ceil(count / this.replicas.length);
    const counts = this.replicas.map((_, r) => Math.max(0, Math.min(per, count - r * per)));
    const parity = this.parity;
    const replies = await Promise.all(this.replicas.map((replica, r) => {
      const from = r * per;
      const share = x.slice(from * size, (from + counts[r]!) * size);
      const shareLabels = labels.slice(from, from + counts[r]!);
      return replica.request({ type: 'step', apply: this.pending, parity, x: share, labels: shareLabels, count: counts[r]!, record }, [share.buffer, shareLabels.buffer]);
    }));
    const shares = counts.map((c) => c / count);
    this.pending = { parity, shares };
    this.parity ^= 1;
    let loss = 0;
    let correct = 0;
    let top5 = 0;
    const computed = replies.map((reply, r) => {
      if (reply.type !== 'computed') throw new Error(`replica ${r} answered ${reply.type} to a step`);
      loss += shares[r]! * reply.loss;
      correct += reply.correct;
      top5 += reply.top5;
      return reply;
    });
    return { result: [loss, correct, top5] as [number, number, number], replies: computed, parity, shares };
  }

  /** The replicas' weights and optimizer state into the coordinator's model (before evaluating or saving). */
  async pull(): Promise<void> {
    await this.flush();
    const states = (await Promise.all(this.replicas.map((r) => r.request({ type: 'getState' })))).map((reply) => (reply as { state: ReplicaState }).state);
    const model = this.options.compiled.model;
    const trainable = new Set(model.trainableWeights.map((w) => w.originalName));
    const averaged = model.weights.map((weight, i) => {
      const values = states[0]!.weights[i]!;
      if (trainable.has(weight.originalName)) return values;
      // Batchnorm statistics: each replica saw its own shares of the batches.
      const mean = new Float32Array(values.length);
      for (const state of states) state.weights[i]!.forEach((v, k) => (mean[k]! += v / states.length));
      return mean;
    });
    const tensors = model.weights.map((w, i) => tf.tensor(averaged[i]!, w.shape as number[]));
    model.setWeights(tensors);
    tensors.forEach((t) => t.dispose());
    const optimizer = states[0]!.optimizer ?? [];
    if (optimizer.length > 0) await this.options.coordinatorOptimizer.setWeights(optimizer.map(({ name, shape, values }) => ({ name, tensor: tf.tensor(values, shape) })));
    await Promise.all(this.replicas.map((r) => r.request({ type: 'setState', state: { weights: averaged } })));
  }

  /** The coordinator's weights and optimizer state to every replica (at the start, after a resume). */
  async push(): Promise<void> {
    await this.flush();
    const weights = this.options.compiled.model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
    const named = await this.options.coordinatorOptimizer.getWeights();
    const optimizer = named.map(({ name, tensor }) => ({ name, shape: tensor.shape, values: Float32Array.from(tensor.dataSync() as Float32Array) }));
    named.forEach(({ tensor }) => {
      if (!(tensor instanceof tf.Variable)) tensor.dispose();
    });
    await Promise.all(this.replicas.map((r) => r.request({ type: 'setState', state: { weights, optimizer } })));
  }

  async setLearningRate(value: number): Promise<void> {
    await this.flush();
    await Promise.all(this.replicas.map((r) => r.request({ type: 'learningRate', value })));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.close()));
  }

  /** Applies the last step's gradients, which otherwise wait for the next step's message. */
  private async flush(): Promise<void> {
    if (!this.pending) return;
    const pending = this.pending;
    this.pending = undefined;
    await Promise.all(this.replicas.map((r) => r.request({ type: 'apply', ...pending })));
  }
}

/** One worker thread and its single outstanding request. */
class ReplicaHandle {
  private readonly worker: Worker;
  private waiting: { resolve: (reply: FromReplica) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor() {
    this.worker = new Worker(...replicaScript());
    this.worker.on('message', (reply: FromReplica) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      if (reply.type === 'error') waiting?.reject(new Error(`training replica failed: ${reply.message}`));
      else waiting?.resolve(reply);
    });
    const fail = (error: Error) => {
      this.failure = error;
      this.waiting?.reject(error);
      this.waiting = undefined;
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`training replica exited (code ${code})`)));
  }

  request(message: ToReplica, transfer: ArrayBuffer[] = []): Promise<FromReplica> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.postMessage(message, transfer);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** The bundled worker beside dist/convlab.js, or the TypeScript source through tsx (tests). */
function replicaScript(): [string, { eval?: boolean }] {
  const bundled = join(__dirname, 'engine-worker.js');
  if (existsSync(bundled)) return [bundled, {}];
  // A worker's entry cannot be .ts even under tsx: register tsx's require hook, then load it.
  return [`require('tsx/cjs'); require(${JSON.stringify(join(__dirname, 'worker.ts'))});`, { eval: true }];
}
