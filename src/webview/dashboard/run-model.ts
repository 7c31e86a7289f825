import type { BackendEvent, CancelledEvent, DatasetEvent, DoneEvent, EngineEvent, ErrorEvent, StageEvent, StartEvent } from '../../protocol/engine';
import type { RunHistory } from '../../protocol/webview';
import type { EpochResult } from '../shared/verdict';

/**
 * A training run as the dashboard needs it, folded from the engine's events (src/protocol/engine.ts)
 * one at a time, so the history on open and the live events after it go through the same code.
 */

export interface EpochRow extends EpochResult {
  learningRate: number;
  seconds: number;
  examplesPerSecond: number;
}

/** A batch event: running means over its epoch so far, at x = epochs done including this fraction. */
export interface BatchSample {
  x: number;
  epoch: number;
  batch: number;
  loss: number;
  accuracy: number;
  learningRate: number;
}

export type RunStatus = 'starting' | 'running' | 'done' | 'cancelled' | 'failed';

export interface RunModel {
  name: string;
  runDir: string;
  status: RunStatus;
  start?: StartEvent;
  backend?: BackendEvent;
  dataset?: DatasetEvent;
  /** Transfer learning's stages so far (none for a one-stage run). */
  stages: StageEvent[];
  epochs: EpochRow[];
  batches: BatchSample[];
  /** Learning rate over time: each epoch's start and each batch. */
  learningRates: { x: number; y: number }[];
  /** Where the epoch in progress stands. */
  progress?: { epoch: number; epochs: number; batch: number; batches: number; examplesPerSecond: number };
  done?: DoneEvent;
  cancelled?: CancelledEvent;
  error?: ErrorEvent;
}

export function runFromHistory(history: RunHistory): RunModel {
  const run: RunModel = { name: history.name, runDir: history.runDir, status: 'starting', stages: [], epochs: [], batches: [], learningRates: [] };
  for (const event of history.events) applyEvent(run, event);
  return run;
}

export function applyEvent(run: RunModel, event: EngineEvent): void {
  switch (event.type) {
    case 'start':
      run.start = event;
      run.status = 'running';
      break;
    case 'backend':
      run.backend = event;
      break;
    case 'dataset':
      run.dataset = event;
      break;
    case 'stage':
      run.stages = [...run.stages.filter((s) => s.stage !== event.stage), event];
      break;
    case 'epochBegin':
      run.status = 'running';
      run.progress = { epoch: event.epoch, epochs: event.epochs, batch: 0, batches: event.batches, examplesPerSecond: run.progress?.examplesPerSecond ?? 0 };
      run.learningRates.push({ x: event.epoch - 1, y: event.learningRate });
      break;
    case 'batch': {
      const x = event.epoch - 1 + event.batch / event.batches;
      run.batches.push({ x, epoch: event.epoch, batch: event.batch, loss: event.loss, accuracy: event.accuracy, learningRate: event.learningRate });
      run.learningRates.push({ x, y: event.learningRate });
      run.progress = { epoch: event.epoch, epochs: run.progress?.epochs ?? run.start?.epochs ?? event.epoch, batch: event.batch, batches: event.batches, examplesPerSecond: event.examplesPerSecond };
      break;
    }
    case 'epochEnd': {
      const { epoch, loss, accuracy, valLoss, valAccuracy, valMostPredictedClass, valMostPredictedShare, learningRate, seconds, examplesPerSecond } = event;
      run.epochs = [...run.epochs.filter((e) => e.epoch !== epoch), { epoch, loss, accuracy, valLoss, valAccuracy, valMostPredictedClass, valMostPredictedShare, learningRate, seconds, examplesPerSecond }];
      run.learningRates.push({ x: epoch, y: learningRate });
      break;
    }
    case 'checkpoint':
      break;
    case 'done':
      run.done = event;
      run.status = 'done';
      run.progress = undefined;
      break;
    case 'cancelled':
      run.cancelled = event;
      run.status = 'cancelled';
      run.progress = undefined;
      break;
    case 'error':
      run.error = event;
      run.status = 'failed';
      run.progress = undefined;
      break;
  }
}

/** Mean seconds per finished epoch. */
export function meanEpochSeconds(run: RunModel): number | undefined {
  if (run.epochs.length === 0) return undefined;
  return run.epochs.reduce((sum, e) => sum + e.seconds, 0) / run.epochs.length;
}

/**
 * Seconds left: the rest of this epoch at its current speed, then the remaining epochs at the mean
 * epoch time so far (or, before any epoch ended, at this epoch's speed).
 */
export function secondsLeft(run: RunModel): number | undefined {
  const p = run.progress;
  if (run.status !== 'running' || !p || !run.start || p.examplesPerSecond <= 0) return undefined;
  const secondsPerBatch = run.start.batchSize / p.examplesPerSecond;
  const thisEpoch = (p.batches - p.batch) * secondsPerBatch;
  const later = (p.epochs - p.epoch) * (meanEpochSeconds(run) ?? p.batches * secondsPerBatch);
  return thisEpoch + later;
}
