import { formatPercent } from './format';

/**
 * The over/underfitting verdict of a run, with the evidence a student can check on the curves.
 * Pure, so it is unit-tested in Node (test/webview/verdict.test.ts).
 */

export interface EpochResult {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
}

export interface VerdictInput {
  epochs: EpochResult[];
  /** Known once the run is done: the held-out reference when there is no validation split. */
  testAccuracy?: number;
}

export type FitKind = 'overfitting' | 'underfitting' | 'good-fit' | 'undecided';

export interface Verdict {
  kind: FitKind;
  /** Evidence then conclusion, in one sentence: what the dashboard prints. */
  text: string;
}

/** Epochs the validation loss may stay above its best before it counts as rising (Keras' patience). */
export const PATIENCE = 2;
/** Training accuracy above held-out accuracy by more than this many points is overfitting. */
export const OVERFIT_GAP_POINTS = 5;
/** Training accuracy below this after the run is underfitting (for the classification sets ConvLab trains on). */
export const LOW_ACCURACY = 0.9;
/** An accuracy gain of more than this between the last two epochs counts as still rising. */
export const RISING = 0.005;

export function fitVerdict(input: VerdictInput): Verdict {
  const { epochs } = input;
  const last = epochs.at(-1);
  if (!last || epochs.length < 2) {
    return { kind: 'undecided', text: `${epochs.length === 0 ? 'no epoch' : '1 epoch'} so far: too early to judge the fit` };
  }
  return risingValidationLoss(epochs) ?? accuracyGap(epochs, input.testAccuracy) ?? lowAccuracy(epochs) ?? goodFit(last, input.testAccuracy);
}

/** Validation loss above its minimum for PATIENCE epochs or more while training loss fell. */
function risingValidationLoss(epochs: EpochResult[]): Verdict | undefined {
  const validated = epochs.filter((e) => e.valLoss !== undefined);
  if (validated.length < PATIENCE + 1) return undefined;
  const best = validated.reduce((a, b) => (b.valLoss! < a.valLoss! ? b : a));
  const last = validated.at(-1)!;
  const since = last.epoch - best.epoch;
  if (since < PATIENCE || last.loss >= best.loss) return undefined;
  return {
    kind: 'overfitting',
    text: `validation loss rose for ${since} epochs after epoch ${best.epoch} while training loss kept falling: overfitting; early stopping would have kept epoch ${best.epoch}`,
  };
}

/** Training accuracy well above the held-out accuracy (validation, else test once known). */
function accuracyGap(epochs: EpochResult[], testAccuracy: number | undefined): Verdict | undefined {
  const last = epochs.at(-1)!;
  const reference = heldOut(last, testAccuracy);
  if (!reference) return undefined;
  const gap = (last.accuracy - reference.accuracy) * 100;
  if (gap <= OVERFIT_GAP_POINTS) return undefined;
  return {
    kind: 'overfitting',
    text: `training accuracy ${formatPercent(last.accuracy, 1)} but ${reference.name} ${formatPercent(reference.accuracy, 1)} (gap ${gap.toFixed(1)} points): overfitting — more data, augmentation, dropout or weight decay would help`,
  };
}

function lowAccuracy(epochs: EpochResult[]): Verdict | undefined {
  const last = epochs.at(-1)!;
  if (last.accuracy >= LOW_ACCURACY) return undefined;
  const previous = epochs.at(-2)!;
  const rising = last.accuracy - previous.accuracy > RISING;
  const where = `training accuracy ${formatPercent(last.accuracy, 1)} after ${epochs.length} epochs`;
  return rising
    ? { kind: 'underfitting', text: `${where} and still rising: underfitting — train longer or use a bigger model` }
    : { kind: 'underfitting', text: `${where} and no longer rising: underfitting — use a bigger model or a higher learning rate` };
}

function goodFit(last: EpochResult, testAccuracy: number | undefined): Verdict {
  const reference = heldOut(last, testAccuracy);
  if (!reference) {
    return { kind: 'undecided', text: `training accuracy ${formatPercent(last.accuracy, 1)}; with no validation split the fit can be judged once the test accuracy is known` };
  }
  const gap = Math.abs(last.accuracy - reference.accuracy) * 100;
  return { kind: 'good-fit', text: `good fit: ${reference.name} tracks training (gap ${gap.toFixed(1)} points)` };
}

function heldOut(last: EpochResult, testAccuracy: number | undefined): { name: string; accuracy: number } | undefined {
  if (last.valAccuracy !== undefined) return { name: 'validation', accuracy: last.valAccuracy };
  if (testAccuracy !== undefined) return { name: 'test', accuracy: testAccuracy };
  return undefined;
}
