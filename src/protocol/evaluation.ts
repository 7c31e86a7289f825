import { z } from 'zod';
import { ReliabilityBinSchema } from './calibration';

/** `convlab eval RUN --json`: how a trained run does on its test split. */
export const EvaluationReportSchema = z.object({
  model: z.string(),
  runDir: z.string(),
  weights: z.string(),
  classes: z.array(z.string()),
  examples: z.number(),
  /** Where the evaluated examples came from: the run's test split, or `--data`. */
  testData: z.string(),
  accuracy: z.number(),
  /** confusion[true][predicted] */
  confusion: z.array(z.array(z.number())),
  perClass: z.array(z.object({ name: z.string(), precision: z.number(), recall: z.number(), f1: z.number(), support: z.number() })),
  /**
   * The classes marked critical (`critical NAME` in the train section, or `--critical`): the
   * ones whose misses cost most, such as PNEUMONIA in triage. Sensitivity is their recall.
   */
  critical: z.array(z.object({ name: z.string(), sensitivity: z.number(), missed: z.number(), support: z.number() })),
  /** Temperature fitted on the validation split by NLL (1 when there is none), and its effect on the test split. */
  calibration: z.object({
    temperature: z.number(),
    fittedOn: z.string(),
    /**
     * At temperature 1. `bins` are the same confidence bins before scaling, for the reliability
     * diagram's before/after bars; an engine that does not report them leaves them out.
     */
    before: z.object({ nll: z.number(), ece: z.number(), bins: z.array(ReliabilityBinSchema).optional() }),
    after: z.object({ nll: z.number(), ece: z.number() }),
    bins: z.array(ReliabilityBinSchema),
  }),
  /** The most confident mistakes: test example index, true and predicted class, confidence. */
  worst: z.array(z.object({ index: z.number(), label: z.string(), predicted: z.string(), confidence: z.number(), file: z.string().optional() })),
});
export type EvaluationReport = z.infer<typeof EvaluationReportSchema>;
