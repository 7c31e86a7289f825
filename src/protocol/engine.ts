/**
 * Events of `convlab train --json`: one JSON object per line on stdout, in this order:
 * start, backend, dataset, then per stage a stage event and per epoch epochBegin, batch…,
 * epochEnd, checkpoint…, and last exactly one of done, error or cancelled. Documented in
 * docs/cli.md. The schemas are the contract: the types are derived from them, and the
 * extension checks every line it reads against them (src/protocol/validate.ts).
 */
import { z } from 'zod';

/** The backend ladder, best first: `auto` walks it in this order. */
export const BACKEND_NAMES = ['cuda', 'webgpu', 'native', 'wasm', 'cpu'] as const;
export const BackendNameSchema = z.enum(BACKEND_NAMES);
export type BackendName = z.infer<typeof BackendNameSchema>;

/** `--engine` and `convlab.engine`: auto picks pytorch only where python3 has torch and a CUDA or MPS device. */
export const ENGINE_CHOICES = ['auto', 'tfjs', 'pytorch'] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];
export const EngineNameSchema = z.enum(['tfjs', 'pytorch']);
export type EngineName = z.infer<typeof EngineNameSchema>;

const ParamsSchema = z.object({ total: z.number(), trainable: z.number(), nonTrainable: z.number() });

export const StartEventSchema = z.object({
  type: z.literal('start'),
  runDir: z.string(),
  model: z.string(),
  file: z.string(),
  /** From the model's multiply-adds, before any batch ran. */
  params: ParamsSchema,
  epochs: z.number(),
  batchSize: z.number(),
  resumedFrom: z.string().optional(),
});

const AttemptSchema = z.object({ name: BackendNameSchema, available: z.boolean(), reason: z.string() });

export const BackendEventSchema = z.object({
  type: z.literal('backend'),
  name: BackendNameSchema,
  /** Why this backend: what was tried before it and why it was passed over. */
  reason: z.string(),
  tried: z.array(AttemptSchema),
  /** Replica threads sharing each batch (1: the engine's own thread). Set by the trainer. */
  replicas: z.number().optional(),
  /**
   * The engine that trains: TensorFlow.js (the backend ladder above) or PyTorch through python3
   * (`name` is then cuda or cpu, `device` torch's own name: cuda:0, mps, cpu). Absent: tfjs.
   */
  engine: EngineNameSchema.optional(),
  device: z.string().optional(),
});

export const DatasetEventSchema = z.object({
  type: z.literal('dataset'),
  name: z.string(),
  source: z.string(),
  checksum: z.string(),
  inputShape: z.tuple([z.number(), z.number(), z.number()]),
  classes: z.array(z.string()),
  trainExamples: z.number(),
  validationExamples: z.number(),
  testExamples: z.number(),
  notes: z.array(z.string()),
  /**
   * The test split is the validation split (a dataset without test/, or `validation split test`):
   * the test accuracy is then measured on the examples that chose the checkpoint, not unseen ones.
   */
  testIsValidation: z.boolean().optional(),
});

/**
 * A training stage begins: the only one, or with `finetune` first the head on the frozen base,
 * then the fine-tuning of its top layers. Says what trains in it.
 */
export const StageEventSchema = z.object({
  type: z.literal('stage'),
  /** 1-based. */
  stage: z.number(),
  stages: z.number(),
  name: z.enum(['train', 'fine-tune']),
  /** The first epoch of the stage, 1-based, counted over all stages. */
  fromEpoch: z.number(),
  epochs: z.number(),
  learningRate: z.number(),
  params: ParamsSchema,
});

export const EpochBeginEventSchema = z.object({
  type: z.literal('epochBegin'),
  epoch: z.number(),
  epochs: z.number(),
  learningRate: z.number(),
  batches: z.number(),
});

/** Throttled to a few per second. Loss and accuracy are running means over the epoch so far. */
export const BatchEventSchema = z.object({
  type: z.literal('batch'),
  epoch: z.number(),
  batch: z.number(),
  batches: z.number(),
  loss: z.number(),
  accuracy: z.number(),
  learningRate: z.number(),
  examplesPerSecond: z.number(),
});

/** JSON has no NaN: a diverged loss arrives as null, which the schema reads back as NaN. */
export const JsonNumberSchema = z.number().or(z.null().transform(() => Number.NaN));
const metric = JsonNumberSchema;

export const EpochMetricsSchema = z.object({
  loss: metric,
  accuracy: metric,
  top5: metric.optional(),
  valLoss: metric.optional(),
  valAccuracy: metric.optional(),
  valTop5: metric.optional(),
  /**
   * The class the model predicted most often on the validation examples (an index into the
   * dataset event's classes), and for what share of them: near 1 is a collapsed model, which
   * predicts one class whatever the image.
   */
  valMostPredictedClass: z.number().optional(),
  valMostPredictedShare: z.number().optional(),
});
export type EpochMetrics = z.infer<typeof EpochMetricsSchema>;

export const EpochEndEventSchema = EpochMetricsSchema.extend({
  type: z.literal('epochEnd'),
  epoch: z.number(),
  epochs: z.number(),
  learningRate: z.number(),
  seconds: z.number(),
  examplesPerSecond: z.number(),
});

export const CheckpointEventSchema = z.object({
  type: z.literal('checkpoint'),
  kind: z.enum(['best', 'last']),
  path: z.string(),
  epoch: z.number(),
  /** The monitored metric's value for 'best'. */
  monitor: z.object({ name: z.string(), value: metric }).optional(),
});

export const DoneEventSchema = z.object({
  type: z.literal('done'),
  runDir: z.string(),
  /** 0 to 1. */
  testAccuracy: metric,
  testLoss: metric,
  testTop5: metric.optional(),
  trainingSeconds: z.number(),
  epochsRun: z.number(),
  stoppedEarly: z.boolean(),
  bestEpoch: z.number().optional(),
  /** As in the dataset event: the test accuracy was measured on the validation examples. */
  testIsValidation: z.boolean().optional(),
  /** What chose the best/ checkpoint (the early-stopping or checkpoint monitor). */
  checkpointMonitor: z.string().optional(),
  /** As valMostPredictedClass and valMostPredictedShare, on the test examples. */
  testMostPredictedClass: z.number().optional(),
  testMostPredictedShare: z.number().optional(),
});

export const SourceLocationSchema = z.object({ file: z.string(), line: z.number(), column: z.number() });

export const ErrorEventSchema = z.object({
  type: z.literal('error'),
  message: z.string(),
  /** For model files: where, 1-based as printed. */
  location: SourceLocationSchema.optional(),
});

export const CancelledEventSchema = z.object({
  type: z.literal('cancelled'),
  runDir: z.string(),
  epoch: z.number(),
  batch: z.number(),
  checkpoint: z.string(),
});

/**
 * One layer's gradient statistics at one step (docs/cli.md, "Gradient flow"). Norms are L2 over
 * all of the layer's trainable weights; a field is absent where it does not apply (a standalone
 * relu has no weights, a layer without relu no dead units).
 */
export const GradientFlowLayerSchema = z.object({
  /** As the language names it (the summary's names), in source order. */
  name: z.string(),
  /** 1-based line of the statement that made the layer. */
  line: z.number(),
  gradientNorm: metric.optional(),
  /** Before the step's update. */
  weightNorm: metric.optional(),
  /** ‖update the optimizer applied‖ / ‖weights before it‖. */
  updateRatio: metric.optional(),
  /** Share of the relu's units that were zero for every example of the batch. */
  deadFraction: metric.optional(),
});
export type GradientFlowLayer = z.infer<typeof GradientFlowLayerSchema>;

/**
 * Per-layer gradient statistics every `--gradient-flow N` batches (20 by default). Kept in the
 * run folder's gradient-flow.jsonl rather than metrics.jsonl, which stays small for the dashboard.
 */
export const GradientFlowEventSchema = z.object({
  type: z.literal('gradientFlow'),
  epoch: z.number(),
  batch: z.number(),
  /** Optimizer steps since the run began, 1-based: the view's time axis. */
  step: z.number(),
  layers: z.array(GradientFlowLayerSchema),
});

export const EngineEventSchema = z.discriminatedUnion('type', [
  StartEventSchema,
  BackendEventSchema,
  DatasetEventSchema,
  StageEventSchema,
  EpochBeginEventSchema,
  BatchEventSchema,
  GradientFlowEventSchema,
  EpochEndEventSchema,
  CheckpointEventSchema,
  DoneEventSchema,
  ErrorEventSchema,
  CancelledEventSchema,
]);

export type StartEvent = z.infer<typeof StartEventSchema>;
export type BackendEvent = z.infer<typeof BackendEventSchema>;
export type DatasetEvent = z.infer<typeof DatasetEventSchema>;
export type StageEvent = z.infer<typeof StageEventSchema>;
export type EpochBeginEvent = z.infer<typeof EpochBeginEventSchema>;
export type BatchEvent = z.infer<typeof BatchEventSchema>;
export type EpochEndEvent = z.infer<typeof EpochEndEventSchema>;
export type GradientFlowEvent = z.infer<typeof GradientFlowEventSchema>;
export type CheckpointEvent = z.infer<typeof CheckpointEventSchema>;
export type DoneEvent = z.infer<typeof DoneEventSchema>;
export type ErrorEvent = z.infer<typeof ErrorEventSchema>;
export type CancelledEvent = z.infer<typeof CancelledEventSchema>;
export type EngineEvent = z.infer<typeof EngineEventSchema>;

/** Every event type, in the order a run emits them. */
export const ENGINE_EVENT_TYPES = EngineEventSchema.options.map((option) => option.shape.type.value);

/** Lines the engine reads on stdin. Signals do not reach a child process cleanly on every OS. */
export const EngineCommandSchema = z.object({ type: z.literal('cancel') });
export type EngineCommand = z.infer<typeof EngineCommandSchema>;
