import type { Split } from '../data/index';
import type { CompiledModel } from '../model/compile';
import type { LabelledLogits } from './temperature';
import { evaluationSums, type ObjectiveOptions } from '../training/objective';
import { tf } from '../backends/tf';

export interface Evaluation {
  loss: number;
  accuracy: number;
  top5: number;
  count: number;
  /** The class predicted most often, and for what share of the examples: 1 is a collapsed model. */
  mostPredicted?: { classIndex: number; share: number };
}

/** Loss and accuracy of the main output over a whole split, in inference mode. */
export async function evaluateSplit(
  compiled: CompiledModel, split: Split, inputShape: readonly number[], objective: ObjectiveOptions, batchSize: number, signal?: AbortSignal, limit?: number,
): Promise<Evaluation> {
  let loss = 0;
  let correct = 0;
  let top5 = 0;
  let count = 0;
  const predictions = new Array<number>(objective.classCount).fill(0);
  for await (const batch of split.batches(Math.max(batchSize, 128), { limit })) {
    if (signal?.aborted) break;
    const [sums, predicted] = tf.tidy(() => {
      const x = tf.tensor(batch.x, [batch.count, ...inputShape]);
      const labels = tf.tensor1d(batch.labels, 'int32');
      const outputs = compiled.model.predict(x);
      const main = Array.isArray(outputs) ? outputs[0]! : outputs;
      return [evaluationSums(main, compiled.outputKinds[0]!, labels, objective), tf.argMax(main, -1)];
    });
    const [l, c, t] = await sums.data();
    for (const k of await predicted.data()) predictions[k] = (predictions[k] ?? 0) + 1;
    sums.dispose();
    predicted.dispose();
    loss += l!;
    correct += c!;
    top5 += t!;
    count += batch.count;
  }
  if (count === 0) return { loss: NaN, accuracy: NaN, top5: NaN, count };
  const classIndex = predictions.indexOf(Math.max(...predictions));
  return { loss: loss / count, accuracy: correct / count, top5: top5 / count, count, mostPredicted: { classIndex, share: predictions[classIndex]! / count } };
}

/**
 * The main output's logits for every example of a split, in order, with the labels: what
 * calibration and the confusion matrix are computed from. Probabilities (a model that does not
 * end in softmax) are returned as their logarithms, which rank and calibrate the same way.
 */
export async function collectLogits(compiled: CompiledModel, split: Split, inputShape: readonly number[], batchSize: number, classes: number): Promise<LabelledLogits> {
  const logits = new Float32Array(split.count * classes);
  const labels = new Int32Array(split.count);
  let at = 0;
  for await (const batch of split.batches(Math.max(batchSize, 128))) {
    const output = tf.tidy(() => {
      const x = tf.tensor(batch.x, [batch.count, ...inputShape]);
      const outputs = compiled.model.predict(x);
      const main = Array.isArray(outputs) ? outputs[0]! : outputs;
      return compiled.outputKinds[0] === 'logits' ? main : main.clipByValue(1e-7, 1).log();
    });
    logits.set((await output.data()) as Float32Array, at * classes);
    output.dispose();
    labels.set(batch.labels, at);
    at += batch.count;
  }
  return { logits: logits.subarray(0, at * classes), labels: labels.subarray(0, at), classes };
}
