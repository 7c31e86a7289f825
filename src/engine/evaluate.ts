import type { Split } from './data/index';
import type { CompiledModel } from './compile';
import { evaluationSums, type ObjectiveOptions } from './objective';
import { tf } from './tf';

export interface Evaluation {
  loss: number;
  accuracy: number;
  top5: number;
  count: number;
}

/** Loss and accuracy of the main output over a whole split, in inference mode. */
export async function evaluateSplit(
  compiled: CompiledModel, split: Split, inputShape: readonly number[], objective: ObjectiveOptions, batchSize: number, signal?: AbortSignal,
): Promise<Evaluation> {
  let loss = 0;
  let correct = 0;
  let top5 = 0;
  let count = 0;
  for await (const batch of split.batches(Math.max(batchSize, 128))) {
    if (signal?.aborted) break;
    const sums = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.count, ...inputShape] as [number, number, number, number]);
      const labels = tf.tensor1d(batch.labels, 'int32');
      const outputs = compiled.model.predict(x);
      const main = Array.isArray(outputs) ? outputs[0]! : outputs;
      return evaluationSums(main, compiled.outputKinds[0]!, labels, objective);
    });
    const [l, c, t] = sums.dataSync();
    sums.dispose();
    loss += l!;
    correct += c!;
    top5 += t!;
    count += batch.count;
  }
  return count === 0 ? { loss: NaN, accuracy: NaN, top5: NaN, count } : { loss: loss / count, accuracy: correct / count, top5: top5 / count, count };
}
