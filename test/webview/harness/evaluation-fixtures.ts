/**
 * EvaluationReports as `convlab eval --json` writes them, for the evaluation view's tests: a
 * pneumonia triage model on the chest X-ray test split (234 NORMAL, 390 PNEUMONIA, as in Kermany
 * et al. 2018) and a CIFAR-10 ResNet at about 85%. Accuracy, per-class scores and ECE are
 * computed from the confusion matrix and the bins, so the numbers agree as the engine's do.
 */
import type { ReliabilityBinJson } from '../../../src/protocol/calibration';
import type { EvaluationReport } from '../../../src/protocol/evaluation';

const BINS = 15;

/** 15 equal-width bins; `spec[k]` = [count, mean confidence, accuracy] of bin k (empty when absent). */
function bins(spec: Record<number, [number, number, number]>): ReliabilityBinJson[] {
  return Array.from({ length: BINS }, (_, k) => {
    const [count, confidence, accuracy] = spec[k] ?? [0, 0, 0];
    return { lower: k / BINS, upper: (k + 1) / BINS, count, confidence, accuracy };
  });
}

/** Bins whose accuracy sits `gap` below the mean confidence, the last bin holding the rest at `topAccuracy`. */
function overconfident(counts: number[], gap: number, topConfidence: number, topAccuracy: number): ReliabilityBinJson[] {
  const spec: Record<number, [number, number, number]> = {};
  counts.forEach((count, k) => {
    if (count === 0) return;
    const confidence = (k + 0.5) / BINS;
    spec[k] = k === BINS - 1 ? [count, topConfidence, topAccuracy] : [count, confidence, Math.max(0, confidence - gap)];
  });
  return bins(spec);
}

function ece(bins: ReliabilityBinJson[]): number {
  const total = bins.reduce((sum, b) => sum + b.count, 0);
  return bins.reduce((sum, b) => sum + (b.count / total) * Math.abs(b.accuracy - b.confidence), 0);
}

interface ReportSpec {
  model: string;
  runDir: string;
  classes: string[];
  confusion: number[][];
  critical?: string[];
  temperature: number;
  nll: [number, number];
  before: ReliabilityBinJson[];
  after: ReliabilityBinJson[];
  worst: EvaluationReport['worst'];
}

function report(spec: ReportSpec): EvaluationReport {
  const { classes, confusion } = spec;
  const examples = confusion.flat().reduce((a, b) => a + b, 0);
  const correct = confusion.reduce((sum, row, r) => sum + row[r]!, 0);
  const perClass = classes.map((name, c) => {
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, row) => sum + row[c]!, 0);
    const precision = predicted > 0 ? confusion[c]![c]! / predicted : 0;
    const recall = support > 0 ? confusion[c]![c]! / support : 0;
    return { name, precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
  const critical = (spec.critical ?? []).map((name) => {
    const c = classes.indexOf(name);
    const scores = perClass[c]!;
    return { name, sensitivity: scores.recall, missed: scores.support - confusion[c]![c]!, support: scores.support };
  });
  return {
    model: spec.model, runDir: spec.runDir, weights: `${spec.runDir}/best`, classes, examples, testData: `the test split of ${spec.model}'s dataset`, accuracy: correct / examples,
    confusion, perClass, critical,
    calibration: {
      temperature: spec.temperature, fittedOn: 'validation split',
      before: { nll: spec.nll[0], ece: ece(spec.before), bins: spec.before },
      after: { nll: spec.nll[1], ece: ece(spec.after) },
      bins: spec.after,
    },
    worst: spec.worst,
  };
}

export const pneumoniaReport: EvaluationReport = report({
  model: 'PneumoniaNet',
  runDir: '/work/xray/runs/PneumoniaNet-20250612-093015',
  classes: ['NORMAL', 'PNEUMONIA'],
  confusion: [[187, 47], [9, 381]],
  critical: ['PNEUMONIA'],
  temperature: 1.84,
  nll: [0.3121, 0.2307],
  // Two classes: every confidence is at least 50%, so the bins below are empty.
  before: bins({ 7: [6, 0.51, 0.5], 8: [9, 0.57, 0.56], 9: [11, 0.63, 0.55], 10: [14, 0.7, 0.57], 11: [17, 0.77, 0.65], 12: [25, 0.83, 0.72], 13: [44, 0.9, 0.8], 14: [498, 0.985, 0.967] }),
  after: bins({ 7: [12, 0.5, 0.5], 8: [14, 0.57, 0.57], 9: [16, 0.63, 0.63], 10: [20, 0.7, 0.7], 11: [26, 0.77, 0.77], 12: [38, 0.83, 0.84], 13: [70, 0.9, 0.91], 14: [428, 0.975, 0.968] }),
  worst: [
    { index: 17, label: 'NORMAL', predicted: 'PNEUMONIA', confidence: 0.9931 },
    { index: 203, label: 'NORMAL', predicted: 'PNEUMONIA', confidence: 0.9874 },
    { index: 88, label: 'NORMAL', predicted: 'PNEUMONIA', confidence: 0.9702 },
    { index: 451, label: 'PNEUMONIA', predicted: 'NORMAL', confidence: 0.9388 },
    { index: 12, label: 'NORMAL', predicted: 'PNEUMONIA', confidence: 0.9215 },
  ],
});

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export const cifarReport: EvaluationReport = report({
  model: 'ResNet18Cifar',
  runDir: '/work/cifar/runs/ResNet18Cifar-20250610-181244',
  classes: CIFAR10_CLASSES,
  // 1,000 test images a class; cat and dog are the pair every CIFAR-10 model confuses.
  confusion: [
    [872, 9, 28, 12, 9, 3, 5, 6, 41, 15],
    [8, 931, 2, 3, 1, 2, 3, 1, 12, 37],
    [41, 2, 778, 45, 47, 33, 32, 14, 6, 2],
    [14, 5, 44, 681, 37, 141, 43, 21, 9, 5],
    [10, 1, 38, 30, 849, 20, 20, 27, 4, 1],
    [5, 2, 27, 118, 31, 779, 8, 26, 2, 2],
    [5, 2, 26, 37, 17, 9, 898, 2, 3, 1],
    [9, 1, 15, 19, 33, 31, 3, 882, 2, 5],
    [33, 13, 5, 6, 2, 2, 3, 1, 920, 15],
    [15, 44, 3, 6, 1, 2, 2, 4, 15, 908],
  ],
  temperature: 1.562,
  nll: [0.5873, 0.4519],
  before: overconfident([0, 0, 0, 20, 50, 90, 140, 190, 250, 330, 420, 560, 760, 1190, 6000], 0.06, 0.992, 0.9586),
  after: overconfident([0, 0, 10, 40, 80, 120, 170, 220, 290, 360, 450, 580, 760, 1120, 5800], 0.01, 0.962, 0.9455),
  worst: [
    { index: 3127, label: 'cat', predicted: 'dog', confidence: 0.9912 },
    { index: 812, label: 'dog', predicted: 'cat', confidence: 0.9876 },
    { index: 5561, label: 'bird', predicted: 'airplane', confidence: 0.9801 },
    { index: 2419, label: 'truck', predicted: 'automobile', confidence: 0.9744 },
    { index: 9003, label: 'ship', predicted: 'airplane', confidence: 0.9637 },
    { index: 771, label: 'deer', predicted: 'horse', confidence: 0.9512 },
  ],
});
