import type { ModelGraph } from '../../language/layer-graph';
import type { TrainSpec } from '../../language/passes/train-spec';
import type { BackendName } from '../../protocol/engine';

/**
 * Messages between the training coordinator (the engine's main thread) and its replica workers.
 * Gradients do not travel in messages: each replica writes its own into a SharedArrayBuffer slot
 * and reads the other's, so a step costs one small message each way.
 */
export interface ReplicaInit {
  type: 'init';
  graph: ModelGraph;
  seed: number;
  optimizer: TrainSpec['optimizer'];
  objective: { classCount: number; labelSmoothing: number; classWeights?: Float32Array; weightDecay: number };
  backend: BackendName;
  nativeDir?: string;
  /**
   * Two sets (by step parity) of one slot per replica, each the trainable parameter count in
   * float32. While a replica applies step k's average it reads set k % 2, and the others may
   * already be writing step k + 1 into the other set: no replica waits for another's reading.
   */
  gradients: SharedArrayBuffer;
  slot: number;
  replicas: number;
}

export type ToReplica =
  | ReplicaInit
  /** Apply the previous step's averaged gradients, then compute this batch's into set `parity`. */
  | { type: 'step'; apply?: Averaging; parity: number; x: Float32Array; labels: Int32Array; count: number; record?: boolean }
  /** measure: answer with each variable's ‖update‖² (a gradient-flow recording step). */
  | ({ type: 'apply'; measure?: boolean } & Averaging)
  | { type: 'getState' }
  | { type: 'setState'; state: ReplicaState }
  | { type: 'learningRate'; value: number }
  | { type: 'close' };

/** Which gradient set to average, and each replica's share of that step's batch (they sum to 1). */
export interface Averaging {
  parity: number;
  shares: number[];
}

/**
 * A recording step's measures on one replica's share: each trainable variable's ‖weights‖²
 * before the update, and each relu's largest value per unit (a unit is dead when it is at most 0
 * on every replica).
 */
export interface ReplicaFlow {
  weightSquares: number[];
  unitMaxima: Float32Array[];
}

/** Weights in the model's order, and the optimizer's named state (moments, iteration count). */
export interface ReplicaState {
  weights: Float32Array[];
  optimizer?: { name: string; shape: number[]; values: Float32Array }[];
}

export type FromReplica =
  | { type: 'ready'; slotLength: number }
  | { type: 'computed'; loss: number; correct: number; top5: number; flow?: ReplicaFlow }
  | { type: 'applied'; updateSquares?: number[] }
  | { type: 'state'; state: ReplicaState }
  | { type: 'done' }
  | { type: 'error'; message: string };
