import type { ReliabilityBinJson } from '../../protocol/calibration';

/**
 * Calibration of a classifier's probabilities (Guo et al., "On calibration of modern neural
 * networks", ICML 2017): temperature scaling fitted by minimising the negative log-likelihood of
 * held-out logits, and the expected calibration error with the bins of a reliability diagram.
 * Plain arrays: the logits come from any backend, and the fit is a one-dimensional problem.
 */

/** Logits of `count` examples, `classes` per row, and their integer labels. */
export interface LabelledLogits {
  logits: Float32Array;
  labels: Int32Array;
  classes: number;
}

/** Mean negative log-likelihood of the labels under softmax(logits / T). */
export function negativeLogLikelihood({ logits, labels, classes }: LabelledLogits, temperature = 1): number {
  let total = 0;
  for (let n = 0; n < labels.length; n++) {
    const row = logits.subarray(n * classes, (n + 1) * classes);
    total += logSumExp(row, 1 / temperature) - row[labels[n]!]! / temperature;
  }
  return total / labels.length;
}

/**
 * The temperature that minimises the NLL. With β = 1/T the NLL is convex in β (a log-sum-exp
 * less a linear term), so Newton's method on β, kept positive, converges in a few steps:
 * NLL'(β) = mean(E_p[z] − z_y), NLL''(β) = mean(Var_p[z]).
 */
export function fitTemperature(data: LabelledLogits, iterations = 50): number {
  let beta = 1;
  for (let i = 0; i < iterations; i++) {
    let gradient = 0;
    let curvature = 0;
    for (let n = 0; n < data.labels.length; n++) {
      const row = data.logits.subarray(n * data.classes, (n + 1) * data.classes);
      const { mean, variance } = softmaxMoments(row, beta);
      gradient += mean - row[data.labels[n]!]!;
      curvature += variance;
    }
    gradient /= data.labels.length;
    curvature /= data.labels.length;
    if (curvature <= 1e-12) break;
    const next = Math.min(Math.max(beta - gradient / curvature, beta / 4), beta * 4);
    if (Math.abs(next - beta) < 1e-9 * beta) {
      beta = next;
      break;
    }
    beta = next;
  }
  return 1 / beta;
}

export type ReliabilityBin = ReliabilityBinJson;


/** ECE over equal-width confidence bins: Σ (n_b / N) · |accuracy_b − confidence_b|. */
export function calibrationError(data: LabelledLogits, temperature = 1, binCount = 15): { ece: number; bins: ReliabilityBin[] } {
  const bins: ReliabilityBin[] = Array.from({ length: binCount }, (_, b) => ({ lower: b / binCount, upper: (b + 1) / binCount, count: 0, confidence: 0, accuracy: 0 }));
  for (let n = 0; n < data.labels.length; n++) {
    const row = data.logits.subarray(n * data.classes, (n + 1) * data.classes);
    let best = 0;
    for (let c = 1; c < data.classes; c++) if (row[c]! > row[best]!) best = c;
    const confidence = Math.exp(row[best]! / temperature - logSumExp(row, 1 / temperature));
    const bin = bins[Math.min(binCount - 1, Math.floor(confidence * binCount))]!;
    bin.count++;
    bin.confidence += confidence;
    bin.accuracy += best === data.labels[n] ? 1 : 0;
  }
  let ece = 0;
  for (const bin of bins) {
    if (bin.count === 0) continue;
    bin.confidence /= bin.count;
    bin.accuracy /= bin.count;
    ece += (bin.count / data.labels.length) * Math.abs(bin.accuracy - bin.confidence);
  }
  return { ece, bins };
}

function logSumExp(row: Float32Array, beta: number): number {
  let max = -Infinity;
  for (const z of row) max = Math.max(max, beta * z);
  let sum = 0;
  for (const z of row) sum += Math.exp(beta * z - max);
  return max + Math.log(sum);
}

/** Mean and variance of the logits under softmax(β z). */
function softmaxMoments(row: Float32Array, beta: number): { mean: number; variance: number } {
  const lse = logSumExp(row, beta);
  let mean = 0;
  let square = 0;
  for (const z of row) {
    const p = Math.exp(beta * z - lse);
    mean += p * z;
    square += p * z * z;
  }
  return { mean, variance: Math.max(0, square - mean * mean) };
}
