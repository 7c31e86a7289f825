/**
 * Events of `convlab train --json`: one JSON object per line on stdout, in this order:
 * start, backend, dataset, then per epoch epochBegin, batch…, epochEnd, checkpoint…,
 * and last exactly one of done, error or cancelled. Documented in docs/cli.md.
 */

export type BackendName = 'cuda' | 'webgpu' | 'native' | 'wasm' | 'cpu';

export interface StartEvent {
  type: 'start';
  runDir: string;
  model: string;
  file: string;
  /** From the model's multiply-adds, before any batch ran. */
  params: { total: number; trainable: number; nonTrainable: number };
  epochs: number;
  batchSize: number;
  resumedFrom?: string;
}

export interface BackendEvent {
  type: 'backend';
  name: BackendName;
  /** Why this backend: what was tried before it and why it was passed over. */
  reason: string;
  tried: { name: BackendName; available: boolean; reason: string }[];
  /** Replica threads sharing each batch (1: the engine's own thread). Set by the trainer. */
  replicas?: number;
}

export interface DatasetEvent {
  type: 'dataset';
  name: string;
  source: string;
  checksum: string;
  inputShape: [number, number, number];
  classes: string[];
  trainExamples: number;
  validationExamples: number;
  testExamples: number;
  notes: string[];
  /**
   * The test split is the validation split (a dataset without test/, or `validation split test`):
   * the test accuracy is then measured on the examples that chose the checkpoint, not unseen ones.
   */
  testIsValidation?: boolean;
}

export interface EpochBeginEvent {
  type: 'epochBegin';
  epoch: number;
  epochs: number;
  learningRate: number;
  batches: number;
}

/** Throttled to a few per second. Loss and accuracy are running means over the epoch so far. */
export interface BatchEvent {
  type: 'batch';
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  learningRate: number;
  examplesPerSecond: number;
}

export interface EpochMetrics {
  loss: number;
  accuracy: number;
  top5?: number;
  valLoss?: number;
  valAccuracy?: number;
  valTop5?: number;
  /**
   * The class the model predicted most often on the validation examples (an index into the
   * dataset event's classes), and for what share of them: near 1 is a collapsed model, which
   * predicts one class whatever the image.
   */
  valMostPredictedClass?: number;
  valMostPredictedShare?: number;
}

export interface EpochEndEvent extends EpochMetrics {
  type: 'epochEnd';
  epoch: number;
  epochs: number;
  learningRate: number;
  seconds: number;
  examplesPerSecond: number;
}

export interface CheckpointEvent {
  type: 'checkpoint';
  kind: 'best' | 'last';
  path: string;
  epoch: number;
  /** The monitored metric's value for 'best'. */
  monitor?: { name: string; value: number };
}

export interface DoneEvent {
  type: 'done';
  runDir: string;
  /** 0 to 1. */
  testAccuracy: number;
  testLoss: number;
  testTop5?: number;
  trainingSeconds: number;
  epochsRun: number;
  stoppedEarly: boolean;
  bestEpoch?: number;
  /** As in the dataset event: the test accuracy was measured on the validation examples. */
  testIsValidation?: boolean;
  /** What chose the best/ checkpoint (the early-stopping or checkpoint monitor). */
  checkpointMonitor?: string;
  /** As valMostPredictedClass and valMostPredictedShare, on the test examples. */
  testMostPredictedClass?: number;
  testMostPredictedShare?: number;
}

export interface ErrorEvent {
  type: 'error';
  message: string;
  /** For model files: where, 1-based as printed. */
  location?: { file: string; line: number; column: number };
}

/**
 * A training stage begins: the only one, or with `finetune` first the head on the frozen base,
 * then the fine-tuning of its top layers. Says what trains in it.
 */
export interface StageEvent {
  type: 'stage';
  /** 1-based. */
  stage: number;
  stages: number;
  name: 'train' | 'fine-tune';
  /** The first epoch of the stage, 1-based, counted over all stages. */
  fromEpoch: number;
  epochs: number;
  learningRate: number;
  params: { trainable: number; nonTrainable: number; total: number };
}

export interface CancelledEvent {
  type: 'cancelled';
  runDir: string;
  epoch: number;
  batch: number;
  checkpoint: string;
}

export type EngineEvent =
  | StartEvent
  | BackendEvent
  | DatasetEvent
  | StageEvent
  | EpochBeginEvent
  | BatchEvent
  | EpochEndEvent
  | CheckpointEvent
  | DoneEvent
  | ErrorEvent
  | CancelledEvent;

/** Lines the engine reads on stdin. Signals do not reach a child process cleanly on every OS. */
export type EngineCommand = { type: 'cancel' };
