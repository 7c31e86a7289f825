/** Classification metrics from predictions: the confusion matrix and per-class precision, recall and F1. */

/** confusion[true][predicted] counts. */
export function confusionMatrix(predicted: Int32Array, labels: Int32Array, classes: number): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let n = 0; n < labels.length; n++) matrix[labels[n]!]![predicted[n]!]!++;
  return matrix;
}

/** Precision, recall and F1 of each class; 0 where a class is never predicted or never present. */
export function perClassScores(matrix: number[][]): { precision: number; recall: number; f1: number; support: number }[] {
  return matrix.map((row, c) => {
    const truePositives = row[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((sum, r) => sum + r[c]!, 0);
    const precision = predicted === 0 ? 0 : truePositives / predicted;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support };
  });
}

/** The argmax of each row. */
export function argmaxRows(values: Float32Array, classes: number): Int32Array {
  const count = values.length / classes;
  const out = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[n * classes + c]! > values[n * classes + best]!) best = c;
    out[n] = best;
  }
  return out;
}
