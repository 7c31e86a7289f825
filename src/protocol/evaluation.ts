import type { ReliabilityBinJson } from './calibration';

/** `convlab eval RUN --json`: how a trained run does on its test split. */
export interface EvaluationReport {
  model: string;
  runDir: string;
  weights: string;
  classes: string[];
  examples: number;
  /** Where the evaluated examples came from: the run's test split, or `--data`. */
  testData: string;
  accuracy: number;
  /** confusion[true][predicted] */
  confusion: number[][];
  perClass: { name: string; precision: number; recall: number; f1: number; support: number }[];
  /**
   * The classes marked critical (`critical NAME` in the train section, or `--critical`): the
   * ones whose misses cost most, such as PNEUMONIA in triage. Sensitivity is their recall.
   */
  critical: { name: string; sensitivity: number; missed: number; support: number }[];
  /** Temperature fitted on the validation split by NLL (1 when there is none), and its effect on the test split. */
  calibration: {
    temperature: number;
    fittedOn: string;
    /**
     * At temperature 1. `bins` are the same confidence bins before scaling, for the reliability
     * diagram's before/after bars; an engine that does not report them leaves them out.
     */
    before: { nll: number; ece: number; bins?: ReliabilityBinJson[] };
    after: { nll: number; ece: number };
    bins: ReliabilityBinJson[];
  };
  /** The most confident mistakes: test example index, true and predicted class, confidence. */
  worst: { index: number; label: string; predicted: string; confidence: number; file?: string }[];
}
