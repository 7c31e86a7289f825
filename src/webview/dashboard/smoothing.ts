import type { BatchSample } from './run-model';

/** Smoothing per batch of the exponential moving average: about the last 10 batches count. */
export const EMA_PER_BATCH = 0.1;

export interface SmoothedPoint {
  x: number;
  loss: number;
  accuracy: number;
}

/**
 * The per-batch training curve, smoothed. Batch events carry running means over the epoch and
 * come a few per second, not every batch, so first each interval's own mean is recovered from two
 * running means, (b₂·m₂ − b₁·m₁) / (b₂ − b₁); then an EMA weighted by the batches in each
 * interval, 1 − (1 − α)^(b₂ − b₁), so the smoothing does not depend on how often events came.
 */
export function smoothedBatches(samples: readonly BatchSample[], alpha = EMA_PER_BATCH): SmoothedPoint[] {
  const points: SmoothedPoint[] = [];
  let loss: number | undefined;
  let accuracy: number | undefined;
  let previous: BatchSample | undefined;
  for (const sample of samples) {
    const sameEpoch = previous !== undefined && previous.epoch === sample.epoch && previous.batch < sample.batch;
    const from = sameEpoch ? previous!.batch : 0;
    const span = sample.batch - from;
    if (span <= 0) continue;
    const intervalLoss = sameEpoch ? (sample.batch * sample.loss - from * previous!.loss) / span : sample.loss;
    const intervalAccuracy = sameEpoch ? (sample.batch * sample.accuracy - from * previous!.accuracy) / span : sample.accuracy;
    const weight = 1 - Math.pow(1 - alpha, span);
    loss = loss === undefined ? intervalLoss : loss + weight * (intervalLoss - loss);
    accuracy = accuracy === undefined ? intervalAccuracy : accuracy + weight * (intervalAccuracy - accuracy);
    points.push({ x: sample.x, loss, accuracy });
    previous = sample;
  }
  return points;
}
