/**
 * A run folder's files (docs/cli.md, "Run folders"): the engine writes them, the extension and
 * the CLI's eval, gradcam and serve read them back. `metrics.jsonl` holds the run's events,
 * verbatim, one a line; folders written before that held one epochEnd record a line without
 * its type, and still open (LegacyEpochRecordSchema).
 */
import { z } from 'zod';
import { BackendNameSchema, EngineEventSchema, EngineNameSchema, EpochEndEventSchema, JsonNumberSchema } from './engine';

export const RUN_FILES = {
  /** The run's engine events, one JSON object a line, appended as they happen. */
  events: 'metrics.jsonl',
  /** Written when training finishes: what the run was and how it did. */
  summary: 'summary.json',
  /** The gradientFlow events, one a line, apart from metrics.jsonl (they are many and large). */
  gradientFlow: 'gradient-flow.jsonl',
  best: 'best',
  last: 'last',
} as const;

/** A line of metrics.jsonl as the engine writes it now. */
export const RunEventLineSchema = EngineEventSchema;

/** A line of metrics.jsonl before events were kept verbatim: an epochEnd without its type. */
export const LegacyEpochRecordSchema = EpochEndEventSchema.omit({ type: true });

const ParamsSchema = z.object({ total: z.number(), trainable: z.number(), nonTrainable: z.number() });

export const RunSummarySchema = z.object({
  model: z.string(),
  /** The model file, absolute. */
  file: z.string(),
  runDir: z.string(),
  backend: BackendNameSchema,
  versions: z.object({ convlab: z.string(), tfjs: z.string(), node: z.string(), torch: z.string().optional(), python: z.string().optional() }),
  /** Absent: tfjs. */
  engine: EngineNameSchema.optional(),
  dataset: z.object({ name: z.string(), source: z.string(), checksum: z.string(), testExamples: z.number(), classes: z.array(z.string()) }),
  params: ParamsSchema,
  /** The train section as it ran (the language's TrainSpec, after command-line overrides). */
  spec: z.looseObject({ epochs: z.number(), batch: z.number() }),
  /** isValidation: the test split was the validation split (no unseen test images). */
  test: z.object({ accuracy: JsonNumberSchema, loss: JsonNumberSchema, top5: JsonNumberSchema.optional(), isValidation: z.boolean().optional() }),
  /** What chose best/: its epoch, the monitored metric, and whether that was on the test images. */
  checkpoint: z.object({ epoch: z.number().optional(), monitor: z.string(), chosenOnTest: z.boolean() }).optional(),
  /** A run made by `convlab import-weights`: the state_dict it came from. */
  imported: z.object({ from: z.string(), tensors: z.number() }).optional(),
  trainingSeconds: z.number(),
  epochsRun: z.number(),
  stoppedEarly: z.boolean(),
  bestEpoch: z.number().optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** What a reader of an older or partial summary.json may rely on: every field may be missing. */
export const PartialRunSummarySchema = RunSummarySchema.partial().extend({
  dataset: RunSummarySchema.shape.dataset.partial().optional(),
  spec: z.looseObject({ epochs: z.number().optional(), batch: z.number().optional() }).optional(),
  test: RunSummarySchema.shape.test.partial().optional(),
});
export type PartialRunSummary = z.infer<typeof PartialRunSummarySchema>;
