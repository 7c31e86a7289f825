import type { ReliabilityBinJson } from './calibration';

/** `convlab eval RUN --json`: how a trained run does on its test split. */
export interface EvaluationReport {
  model: string;
  runDir: string;
  weights: string;
  classes: string[];
  examples: number;
  accuracy: number;
  /** confusion[true][predicted] */
  confusion: number[][];
  perClass: { name: string; precision: number; recall: number; f1: number; support: number }[];
  /** Temperature fitted on the validation split by NLL (1 when there is none), and its effect on the test split. */
  calibration: {
    temperature: number;
    fittedOn: string;
    before: { nll: number; ece: number };
    after: { nll: number; ece: number };
    bins: ReliabilityBinJson[];
  };
  /** The most confident mistakes: test example index, true and predicted class, confidence. */
  worst: { index: number; label: string; predicted: string; confidence: number }[];
}
