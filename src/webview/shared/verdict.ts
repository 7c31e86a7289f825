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
  /** The class predicted most often on the validation examples, and its share of them. */
  valMostPredictedClass?: number;
  valMostPredictedShare?: number;
}

export interface VerdictInput {
  epochs: EpochResult[];
  /** Known once the run is done: the held-out reference when there is no validation split. */
  testAccuracy?: number;
  /** The dataset's class names, to name the class a collapsed model predicts. */
  classes?: string[];
  /** What the run did, once done: the verdict must not advise what already happened. */
  done?: { stoppedEarly: boolean; bestEpoch?: number; testMostPredictedClass?: number; testMostPredictedShare?: number };
}

export type FitKind = 'collapsed' | 'overfitting' | 'underfitting' | 'good-fit' | 'undecided';

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
/** A model that gives one class to at least this share of the held-out examples has collapsed. */
export const COLLAPSED_SHARE = 0.9;

export function fitVerdict(input: VerdictInput): Verdict {
  const { epochs } = input;
  const last = epochs.at(-1);
  if (!last || epochs.length < 2) {
    return { kind: 'undecided', text: `${epochs.length === 0 ? 'no epoch' : '1 epoch'} so far: too early to judge the fit` };
  }
  return collapsed(input) ?? risingValidationLoss(input) ?? accuracyGap(epochs, input.testAccuracy) ?? lowAccuracy(epochs) ?? goodFit(last, input.testAccuracy);
}

/**
 * One class predicted for nearly every held-out image: the curves then measure that class's
 * share, not the fit, so over- and underfitting do not apply. With a training accuracy well
 * above chance it is usually inference that differs from training: batchnorm's moving averages
 * lagging behind the weights (a momentum too slow for this few steps) or a learning rate too high.
 */
function collapsed(input: VerdictInput): Verdict | undefined {
  const last = input.epochs.at(-1)!;
  const classes = input.classes?.length ?? 0;
  const onValidation = last.valMostPredictedShare !== undefined;
  const share = last.valMostPredictedShare ?? input.done?.testMostPredictedShare;
  const classIndex = onValidation ? last.valMostPredictedClass : input.done?.testMostPredictedClass;
  if (share === undefined || classIndex === undefined || classes < 3 || share < COLLAPSED_SHARE) return undefined;
  const name = input.classes?.[classIndex] ?? `class ${classIndex}`;
  const heldOut = onValidation ? 'validation' : 'test';
  return {
    kind: 'collapsed',
    text: `the model predicts "${name}" for ${formatPercent(share, 1)} of the ${heldOut} images while training accuracy is ${formatPercent(last.accuracy, 1)}: ` +
      'it has collapsed to one class at inference, so the curves say nothing about over- or underfitting — check batchnorm momentum (PyTorch\'s 0.1 is 0.9 here) and the learning rate, or train longer',
  };
}

/** Validation loss above its minimum for PATIENCE epochs or more while training loss fell. */
function risingValidationLoss({ epochs, done }: VerdictInput): Verdict | undefined {
  const validated = epochs.filter((e) => e.valLoss !== undefined);
  if (validated.length < PATIENCE + 1) return undefined;
  const best = validated.reduce((a, b) => (b.valLoss! < a.valLoss! ? b : a));
  const last = validated.at(-1)!;
  const since = last.epoch - best.epoch;
  if (since < PATIENCE || last.loss >= best.loss) return undefined;
  return {
    kind: 'overfitting',
    text: `validation loss rose for ${since} epochs after epoch ${best.epoch} while training loss kept falling: overfitting; ${keptEpoch(best.epoch, done)}`,
  };
}

/** What to say about the best epoch, given what the run did (never advice it already followed). */
function keptEpoch(bestEpoch: number, done: VerdictInput['done']): string {
  if (done?.stoppedEarly) return `early stopping ended the run${done.bestEpoch !== undefined ? ` and kept epoch ${done.bestEpoch}` : ''}`;
  if (done?.bestEpoch !== undefined) return `the best checkpoint (best/) holds epoch ${done.bestEpoch}: use it rather than the last`;
  return `early stopping would have kept epoch ${bestEpoch}`;
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
  const validationRising = last.valAccuracy !== undefined && previous.valAccuracy !== undefined && last.valAccuracy - previous.valAccuracy > RISING;
  if (rising && validationRising) {
    return { kind: 'underfitting', text: `${where} and validation ${formatPercent(last.valAccuracy!, 1)}, both still rising: not converged yet rather than a verdict — for now underfitting; train longer and judge again` };
  }
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
