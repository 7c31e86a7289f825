import type { EvaluationReport } from '../../protocol/evaluation';
import type { BackendName } from '../../protocol/engine';
import { calibrationError, fitTemperature, negativeLogLikelihood } from './temperature';
import { collectLogits } from './predict-split';
import { loadInspectable } from '../explanation/feature-maps';
import { ModelFileError } from '../model/model-file';
import { argmaxRows, confusionMatrix, perClassScores } from './class-metrics';
import { readRunSummary } from '../training/run-folder';
import { openEvaluationData, openTrainingData } from '../data/training-data';

export interface EvaluateRunOptions {
  dataDir?: string;
  backend?: BackendName;
  /** How many of the most confident mistakes to list. */
  worst?: number;
  /** Classes to report the sensitivity of, besides those the train section marks critical. */
  critical?: string[];
  /** Evaluate on these labelled images instead of the run's test split (see openEvaluationData). */
  data?: string;
}

/**
 * How a finished run does on its test split: accuracy, the confusion matrix, per-class
 * precision, recall and F1, the most confident mistakes, and calibration (a temperature fitted
 * on the validation split by NLL, with ECE and NLL on the test split before and after).
 */
export async function evaluateRun(runDir: string, options: EvaluateRunOptions = {}): Promise<EvaluationReport> {
  const summary = readRunSummary(runDir, 'evaluate');
  const model = await loadInspectable({ file: summary.file, model: summary.model, run: runDir, backend: options.backend });
  try {
    const { graph, spec } = model.loaded;
    const data = await openTrainingData(graph, spec, { file: summary.file, dataDir: options.dataDir });
    const inputShape = graph.nodes[0]!.outputShape!;
    const classes = data.classCount;
    const other = options.data ? await openEvaluationData(options.data, graph, spec, data.event.classes, options.dataDir) : undefined;
    const testSplit = other?.split ?? data.test;
    const test = await collectLogits(model.compiled, testSplit, inputShape, spec.batch, classes);
    const validation = data.validation ? await collectLogits(model.compiled, data.validation, inputShape, spec.batch, classes) : undefined;
    const temperature = validation && validation.labels.length > 0 ? fitTemperature(validation) : 1;
    const predicted = argmaxRows(test.logits, classes);
    const confusion = confusionMatrix(predicted, test.labels, classes);
    const names = data.event.classes;
    const correct = predicted.reduce((sum, p, n) => sum + (p === test.labels[n] ? 1 : 0), 0);
    const criticalNames = [...new Set([...spec.critical, ...(options.critical ?? [])])];
    const unknown = criticalNames.filter((name) => !names.includes(name));
    if (unknown.length > 0) throw new ModelFileError(`critical class ${unknown.map((n) => `'${n}'`).join(', ')} is not one of the dataset's classes (${names.join(', ')})`);
    const before = calibrationError(test, 1);
    const after = calibrationError(test, temperature);
    return {
      model: graph.name, runDir, weights: model.weights, classes: names, examples: test.labels.length,
      testData: other?.description ?? `the test split of ${data.event.source}`,
      accuracy: correct / test.labels.length,
      confusion,
      perClass: perClassScores(confusion).map((scores, c) => ({ name: names[c]!, ...scores })),
      critical: criticalNames.map((name) => {
        const c = names.indexOf(name);
        const support = confusion[c]!.reduce((a, b) => a + b, 0);
        return { name, sensitivity: support > 0 ? confusion[c]![c]! / support : NaN, missed: support - confusion[c]![c]!, support };
      }),
      calibration: {
        temperature, fittedOn: validation ? 'validation split' : 'none (no validation split): temperature 1',
        before: { nll: negativeLogLikelihood(test, 1), ece: before.ece, bins: before.bins },
        after: { nll: negativeLogLikelihood(test, temperature), ece: after.ece },
        bins: after.bins,
      },
      worst: worstMistakes(test.logits, test.labels, predicted, classes, temperature, options.worst ?? 10).map((m) => {
        const file = testSplit.fileOf?.(m.index);
        return { ...m, label: names[m.label]!, predicted: names[m.predicted]!, ...(file ? { file } : {}) };
      }),
    };
  } finally {
    model.compiled.model.dispose();
  }
}

function worstMistakes(logits: Float32Array, labels: Int32Array, predicted: Int32Array, classes: number, temperature: number, count: number) {
  const mistakes: { index: number; label: number; predicted: number; confidence: number }[] = [];
  for (let n = 0; n < labels.length; n++) {
    if (predicted[n] === labels[n]) continue;
    const row = logits.subarray(n * classes, (n + 1) * classes);
    let sum = 0;
    const top = row[predicted[n]!]!;
    for (const z of row) sum += Math.exp((z - top) / temperature);
    mistakes.push({ index: n, label: labels[n]!, predicted: predicted[n]!, confidence: 1 / sum });
  }
  return mistakes.sort((a, b) => b.confidence - a.confidence).slice(0, count);
}
