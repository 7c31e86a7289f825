import type { EpochMetrics } from '../../protocol/engine';
import type { Monitor, TrainSpec } from '../../language/passes/train-spec';

/** The value of a monitored metric, and whether lower is better. */
export function monitored(metrics: EpochMetrics, monitor: Monitor): number | undefined {
  switch (monitor) {
    case 'val_loss': return metrics.valLoss ?? metrics.loss;
    case 'val_accuracy': return metrics.valAccuracy ?? metrics.accuracy;
    case 'loss': return metrics.loss;
    case 'accuracy': return metrics.accuracy;
  }
}

const lowerIsBetter = (monitor: Monitor) => monitor.endsWith('loss');

/** Tracks the best value of one metric, as Keras callbacks do. */
export class BestTracker {
  best: number | undefined;
  bestEpoch: number | undefined;
  private sinceBest = 0;

  constructor(readonly monitor: Monitor, private readonly minDelta = 0) {}

  /** Records an epoch; true when it is a new best. */
  update(epoch: number, metrics: EpochMetrics): boolean {
    const value = monitored(metrics, this.monitor);
    if (value === undefined || Number.isNaN(value)) {
      this.sinceBest++;
      return false;
    }
    const improved = this.best === undefined || (lowerIsBetter(this.monitor) ? value < this.best - this.minDelta : value > this.best + this.minDelta);
    if (improved) {
      this.best = value;
      this.bestEpoch = epoch;
      this.sinceBest = 0;
    } else this.sinceBest++;
    return improved;
  }

  get epochsWithoutImprovement(): number {
    return this.sinceBest;
  }

  reset(): void {
    this.sinceBest = 0;
  }

  snapshot() {
    return { best: this.best, bestEpoch: this.bestEpoch, sinceBest: this.sinceBest };
  }

  restore(state: { best?: number; bestEpoch?: number; sinceBest: number }): void {
    this.best = state.best;
    this.bestEpoch = state.bestEpoch;
    this.sinceBest = state.sinceBest;
  }
}

export interface ScheduleDecision {
  stop: boolean;
  learningRate: number;
  /** What changed and why, for the log. */
  notes: string[];
}

/** Early stopping and reduce-LR-on-plateau, decided at the end of each epoch. */
export class TrainingSchedule {
  readonly early?: BestTracker;
  readonly plateau?: BestTracker;

  constructor(private readonly spec: Pick<TrainSpec, 'earlyStop' | 'reduceLr'>) {
    if (spec.earlyStop) this.early = new BestTracker(spec.earlyStop.monitor, spec.earlyStop.minDelta);
    if (spec.reduceLr) this.plateau = new BestTracker(spec.reduceLr.monitor);
  }

  afterEpoch(epoch: number, metrics: EpochMetrics, learningRate: number): ScheduleDecision {
    const notes: string[] = [];
    let lr = learningRate;
    const reduce = this.spec.reduceLr;
    if (this.plateau && reduce) {
      this.plateau.update(epoch, metrics);
      if (this.plateau.epochsWithoutImprovement >= reduce.patience && lr > reduce.min) {
        lr = Math.max(reduce.min, lr * reduce.factor);
        notes.push(`${reduce.monitor} has not improved for ${reduce.patience} epochs: learning rate ${learningRate} → ${lr}`);
        this.plateau.reset();
      }
    }
    let stop = false;
    const early = this.spec.earlyStop;
    if (this.early && early) {
      this.early.update(epoch, metrics);
      if (this.early.epochsWithoutImprovement >= early.patience) {
        stop = true;
        notes.push(`early stopping: ${early.monitor} has not improved for ${early.patience} epochs since epoch ${this.early.bestEpoch}`);
      }
    }
    return { stop, learningRate: lr, notes };
  }
}
