/**
 * A run's progress as its events arrive: what the status bar, the notification and the finishing
 * message say. Pure: the job manager feeds it events and reads text.
 */
import type { BackendName, EngineEvent } from '../../protocol/engine';
import { formatDuration } from './estimate';

/** Batch events a run keeps for its dashboard, over any length of run. */
export const MAX_BATCH_EVENTS = 2000;

export class RunProgress {
  runDir?: string;
  backend?: BackendName;
  epochs = 0;
  epoch = 0;
  batches = 0;
  batch = 0;
  batchSize = 0;
  trainExamples?: number;
  examplesPerSecond?: number;
  loss?: number;
  accuracy?: number;
  valAccuracy?: number;
  /**
   * The run's events so far, for a dashboard that opens late or reloads: all of them except
   * batch events, which are thinned to at most MAX_BATCH_EVENTS over the whole run.
   */
  readonly events: EngineEvent[] = [];
  private batchEvents = 0;

  constructor(readonly model: string) {}

  apply(event: EngineEvent): void {
    this.keep(event);
    switch (event.type) {
      case 'start':
        this.runDir = event.runDir;
        this.epochs = event.epochs;
        this.batchSize = event.batchSize;
        break;
      case 'backend':
        this.backend = event.name;
        break;
      case 'dataset':
        this.trainExamples = event.trainExamples;
        break;
      case 'epochBegin':
        this.epoch = event.epoch;
        this.epochs = event.epochs;
        this.batches = event.batches;
        this.batch = 0;
        break;
      case 'batch':
        this.epoch = event.epoch;
        this.batch = event.batch;
        this.batches = event.batches;
        this.loss = event.loss;
        this.accuracy = event.accuracy;
        this.examplesPerSecond = event.examplesPerSecond;
        break;
      case 'epochEnd':
        this.epoch = event.epoch;
        this.batch = this.batches;
        this.loss = event.loss;
        this.accuracy = event.accuracy;
        this.valAccuracy = event.valAccuracy;
        this.examplesPerSecond = event.examplesPerSecond;
        break;
      default:
        break;
    }
  }

  /**
   * A long run sends a few batch events a second for hours: past the cap, every second one is
   * dropped, so the curve keeps its whole span at half the resolution and memory stays bounded.
   */
  private keep(event: EngineEvent): void {
    // Kept apart, as in the run folder (gradient-flow.jsonl): the gradient-flow view reads them there.
    if (event.type === 'gradientFlow') return;
    this.events.push(event);
    if (event.type !== 'batch' || ++this.batchEvents <= MAX_BATCH_EVENTS) return;
    let seen = 0;
    const thinned = this.events.filter((e) => e.type !== 'batch' || seen++ % 2 === 0 || e === event);
    this.events.splice(0, this.events.length, ...thinned);
    this.batchEvents = thinned.filter((e) => e.type === 'batch').length;
  }

  /** 0 to 1 over all epochs; 0 until the first epoch begins. */
  fraction(): number {
    if (this.epochs === 0 || this.epoch === 0) return 0;
    const withinEpoch = this.batches > 0 ? this.batch / this.batches : 0;
    return Math.min(1, (this.epoch - 1 + withinEpoch) / this.epochs);
  }

  /** Examples in one epoch: the dataset's (already capped by any limit), else batches × batch size. */
  private epochExamples(): number | undefined {
    const fromBatches = this.batches > 0 && this.batchSize > 0 ? this.batches * this.batchSize : undefined;
    if (this.trainExamples !== undefined && fromBatches !== undefined) return Math.min(this.trainExamples, fromBatches);
    return this.trainExamples ?? fromBatches;
  }

  /** Seconds of training left at the measured speed; undefined before the first batch is measured. */
  remainingSeconds(): number | undefined {
    const perEpoch = this.epochExamples();
    if (!this.examplesPerSecond || !perEpoch || this.epochs === 0 || this.epoch === 0) return undefined;
    const epochsLeft = this.epochs - this.epoch + (this.batches > 0 ? 1 - this.batch / this.batches : 1);
    return (Math.max(0, epochsLeft) * perEpoch) / this.examplesPerSecond;
  }

  /** Seconds per epoch at the measured speed. */
  measuredEpochSeconds(): number | undefined {
    const perEpoch = this.epochExamples();
    return this.examplesPerSecond && perEpoch ? perEpoch / this.examplesPerSecond : undefined;
  }

  /** Short, for the status bar: `LeNet5 2/5 43%`. */
  statusText(): string {
    if (this.epoch === 0) return `${this.model} starting`;
    return `${this.model} ${this.epoch}/${this.epochs} ${Math.floor(this.fraction() * 100)}%`;
  }

  /** One line for the notification: epoch, batch, running metrics and the measured ETA. */
  detailText(): string {
    if (this.epoch === 0) return this.backend ? `preparing on ${this.backend}…` : 'starting the engine…';
    const parts = [`epoch ${this.epoch}/${this.epochs}`, `batch ${this.batch}/${this.batches}`];
    if (this.loss !== undefined) parts.push(`loss ${this.loss.toFixed(3)}`);
    if (this.accuracy !== undefined) parts.push(`acc ${percent(this.accuracy)}`);
    if (this.valAccuracy !== undefined) parts.push(`val ${percent(this.valAccuracy)}`);
    const remaining = this.remainingSeconds();
    if (remaining !== undefined) parts.push(`${formatDuration(remaining)} left`);
    if (this.examplesPerSecond) parts.push(`${Math.round(this.examplesPerSecond).toLocaleString('en-US')} img/s`);
    return parts.join(' · ');
  }
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}
