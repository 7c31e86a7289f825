import type { OutputKind } from '../model/compile';
import { tf } from '../backends/tf';

export interface ObjectiveOptions {
  kinds: OutputKind[];
  lossWeights: number[];
  classCount: number;
  labelSmoothing: number;
  /** One weight per class, or undefined for equal weights. */
  classWeights?: Float32Array;
  /** L2 penalty on kernels (PyTorch's weight_decay λ adds λ·w to the gradient). */
  weightDecay: number;
}

/** Cross-entropy of one output against integer labels, mean over the batch (weighted by class). */
export function crossEntropy(output: tf.Tensor, kind: OutputKind, labels: tf.Tensor1D, options: ObjectiveOptions): tf.Scalar {
  const oneHot = tf.oneHot(labels, options.classCount).toFloat();
  const weights = options.classWeights ? tf.gather(tf.tensor1d(options.classWeights), labels) : undefined;
  if (kind === 'logits') {
    return tf.losses.softmaxCrossEntropy(oneHot, output, weights, options.labelSmoothing) as tf.Scalar;
  }
  // The model ends in another activation: treat its outputs as probabilities, clipped as Keras does.
  const smoothed = options.labelSmoothing > 0 ? oneHot.mul(1 - options.labelSmoothing).add(options.labelSmoothing / options.classCount) : oneHot;
  const perExample = smoothed.mul(output.clipByValue(1e-7, 1 - 1e-7).log()).sum(-1).neg();
  return (weights ? perExample.mul(weights).mean() : perExample.mean()) as tf.Scalar;
}

/** Top-1 and top-5 hits of logits or probabilities (both rank the same way). */
export function hits(output: tf.Tensor, labels: tf.Tensor1D, classCount: number): { correct: tf.Scalar; top5: tf.Scalar } {
  const oneHot = tf.oneHot(labels, classCount).toFloat();
  const labelScore = output.mul(oneHot).sum(-1, true);
  // Rank of the true class: how many classes score strictly higher.
  const higher = output.greater(labelScore).toFloat().sum(-1);
  return { correct: higher.less(1).toFloat().sum() as tf.Scalar, top5: higher.less(5).toFloat().sum() as tf.Scalar };
}

/** The training loss of all outputs (aux heads weighted), plus L2 on the kernels. */
export function totalLoss(outputs: tf.Tensor[], labels: tf.Tensor1D, options: ObjectiveOptions, kernels: tf.Variable[]): tf.Scalar {
  let total = tf.scalar(0);
  outputs.forEach((output, i) => {
    total = total.add(crossEntropy(output, options.kinds[i]!, labels, options).mul(options.lossWeights[i]!));
  });
  if (options.weightDecay > 0 && kernels.length > 0) {
    const squares = tf.addN(kernels.map((k) => k.square().sum()));
    total = total.add(squares.mul(options.weightDecay / 2));
  }
  return total as tf.Scalar;
}

/** Sums for evaluation: loss of the main output only (as reported by Keras for val_loss without aux), hits. */
export function evaluationSums(output: tf.Tensor, kind: OutputKind, labels: tf.Tensor1D, options: ObjectiveOptions): tf.Tensor1D {
  const count = labels.shape[0];
  const unweighted = { ...options, classWeights: undefined, labelSmoothing: 0 };
  const loss = crossEntropy(output, kind, labels, unweighted).mul(count);
  const { correct, top5 } = hits(output, labels, options.classCount);
  return tf.stack([loss, correct, top5]) as tf.Tensor1D;
}
