/**
 * "Explain an image": an input's forward pass through a model, layer by layer, and the sum that
 * made any one output value (`convlab serve-engine` methods `explain` and `explainUnit`). Every
 * number a view shows of a sum travels here as it was computed, so a reader can redo the sum
 * from the message alone (test/engine/explain.test.ts does).
 */
import { z } from 'zod';
import { EncodedArraySchema, EngineRequestSchema, InspectRequestSchema, LabelSchema } from './inspect';
import { SampleInputRequestSchema } from './sample-input';

/** Which model, weights and input: as feature maps take them, without a layer. */
export const ExplainRequestSchema = InspectRequestSchema.omit({ layer: true });
export type ExplainRequest = z.infer<typeof ExplainRequestSchema>;

/** One output value to explain: a layer and its position ([row, column, channel] or [unit]). */
export const ExplainUnitRequestSchema = ExplainRequestSchema.extend({
  layer: z.string(),
  position: z.array(z.number().int().nonnegative()).min(1).max(3),
});
export type ExplainUnitRequest = z.infer<typeof ExplainUnitRequestSchema>;

/** Rows and columns of a region, inclusive: [top, left] to [bottom, right]. */
export const RegionSchema = z.object({ top: z.number().int(), left: z.number().int(), bottom: z.number().int(), right: z.number().int() });
export type Region = z.infer<typeof RegionSchema>;

/** What kind of sum a layer's values are, so the view knows whether a click can be explained. */
export const ExplainKindSchema = z.enum(['conv', 'pool', 'dense', 'activation']);

export const FlowLayerSchema = z.object({
  name: z.string(),
  /** The layer's type as the summary prints it (Conv2D, MaxPool2D, Dense). */
  type: z.string(),
  /** [h, w, c] or [units], as the source defines it (a softmax output as probabilities). */
  outputShape: z.array(z.number()),
  /** Its values for the input; channels past `channelsShown` are left out of large layers. */
  activations: EncodedArraySchema,
  channelsShown: z.number().int(),
  /** The source line (0-based) that made the layer, for revealing it. */
  line: z.number().int().nonnegative(),
  /** How a value of it is explained; absent for layers the view shows but cannot explain. */
  explains: ExplainKindSchema.optional(),
  /** Why a value of it cannot be explained, when `explains` is absent. */
  unexplained: z.string().optional(),
});
export type FlowLayer = z.infer<typeof FlowLayerSchema>;

export const PredictionSchema = z.object({
  /** Every class by probability, highest first. */
  ranked: z.array(z.object({ index: z.number().int(), name: z.string(), probability: z.number() })),
  /** Probabilities divided by a run's fitted temperature (Guo et al. 2017) when it holds one. */
  calibrated: z.boolean(),
  temperature: z.number(),
  /** Where the temperature came from, or why the probabilities are not calibrated. */
  calibration: z.string(),
});
export type Prediction = z.infer<typeof PredictionSchema>;

export const ExplainFlowSchema = z.object({
  kind: z.literal('flow'),
  model: z.string(),
  /** 'untrained (seed N)' or the checkpoint folder. */
  weights: z.string(),
  source: z.string(),
  label: LabelSchema.optional(),
  /** The image as the model saw it, [h, w, c]. */
  input: EncodedArraySchema,
  layers: z.array(FlowLayerSchema),
  prediction: PredictionSchema.optional(),
});
export type ExplainFlow = z.infer<typeof ExplainFlowSchema>;

/** One value of a window on a layer's input: null where 'same' padding leaves it out of the sum. */
const WindowValuesSchema = z.array(z.number().nullable());

/** The window on the layer's input: its top-left cell (negative inside padding), size, dilation. */
export const WindowSchema = z.object({
  top: z.number().int(), left: z.number().int(), height: z.number().int(), width: z.number().int(),
  dilation: z.array(z.number().int()).length(2),
});
export type Window = z.infer<typeof WindowSchema>;

/** The activation applied after the sum: its name and, for softmax, every logit of the layer. */
export const ActivationStepSchema = z.object({
  name: z.string(),
  /** The slope of leakyrelu and elu. */
  alpha: z.number().optional(),
  /** Softmax's other inputs: the whole layer's pre-activations (the unit's own among them). */
  logits: z.array(z.number()).optional(),
});
export type ActivationStep = z.infer<typeof ActivationStepSchema>;

const UnitCommonShape = {
  layer: z.string(),
  type: z.string(),
  position: z.array(z.number().int()),
  /** The layer that feeds it, and that layer's shape. */
  inputLayer: z.string(),
  inputShape: z.array(z.number()),
  /** The engine's own value at the position (TensorFlow.js's output, not a recomputation). */
  value: z.number(),
  /** The input pixels that can reach this value, clamped to the image; absent for dense layers. */
  receptiveField: RegionSchema.optional(),
};

export const ConvUnitSchema = z.object({
  kind: z.literal('conv'),
  ...UnitCommonShape,
  window: WindowSchema,
  /** Per input channel: the window's values and the kernel's weights, row-major, and their dot product. */
  channels: z.array(z.object({ channel: z.number().int(), values: z.array(z.number()), weights: z.array(z.number()), sum: z.number() })),
  bias: z.number(),
  preActivation: z.number(),
  activation: ActivationStepSchema,
});

export const PoolUnitSchema = z.object({
  kind: z.literal('pool'),
  ...UnitCommonShape,
  mode: z.enum(['max', 'average']),
  window: WindowSchema,
  channel: z.number().int(),
  values: WindowValuesSchema,
  /** For max: the cell that won (index into values); for average: how many values were divided by. */
  chosen: z.number().int().optional(),
  divisor: z.number().int().optional(),
});

export const DenseUnitSchema = z.object({
  kind: z.literal('dense'),
  ...UnitCommonShape,
  /** The largest terms by magnitude: input index, where it came from before flattening, value × weight. */
  top: z.array(z.object({ index: z.number().int(), from: z.array(z.number().int()).optional(), input: z.number(), weight: z.number(), product: z.number() })),
  /** The layer whose values `flatten` laid out as this layer's inputs, which `from` positions are in. */
  flattenedFrom: z.string().optional(),
  /** The other terms, summed. */
  rest: z.object({ count: z.number().int(), sum: z.number() }),
  bias: z.number(),
  preActivation: z.number(),
  activation: ActivationStepSchema,
});

export const ActivationUnitSchema = z.object({
  kind: z.literal('activation'),
  ...UnitCommonShape,
  input: z.number(),
  activation: ActivationStepSchema,
});

export const UnitExplanationSchema = z.discriminatedUnion('kind', [ConvUnitSchema, PoolUnitSchema, DenseUnitSchema, ActivationUnitSchema]);
export type UnitExplanation = z.infer<typeof UnitExplanationSchema>;
export type ConvUnit = z.infer<typeof ConvUnitSchema>;
export type PoolUnit = z.infer<typeof PoolUnitSchema>;
export type DenseUnit = z.infer<typeof DenseUnitSchema>;
export type ActivationUnit = z.infer<typeof ActivationUnitSchema>;

/** Every serve-engine request: `inspect` and `shutdown` (src/protocol/inspect.ts), this file's two and `sampleInput` (sample-input.ts). */
export const ServeEngineRequestSchema = z.discriminatedUnion('method', [
  ...EngineRequestSchema.options,
  z.object({ id: z.number().int(), method: z.literal('explain'), params: ExplainRequestSchema }),
  z.object({ id: z.number().int(), method: z.literal('explainUnit'), params: ExplainUnitRequestSchema }),
  z.object({ id: z.number().int(), method: z.literal('sampleInput'), params: SampleInputRequestSchema }),
]);
export type ServeEngineRequest = z.infer<typeof ServeEngineRequestSchema>;

/**
 * A serve-engine reply as the client first reads it: an error, or a result it then checks
 * against the schema of the method it asked (the id says which).
 */
export const ServeEngineReplyEnvelopeSchema = z.union([
  z.object({ id: z.number().int(), error: z.object({ message: z.string() }) }),
  z.object({ id: z.number().int(), result: z.unknown() }),
]);

export const ServeEngineReplySchema = z.union([
  z.object({ id: z.number().int(), result: z.union([ExplainFlowSchema, UnitExplanationSchema]) }),
  z.object({ id: z.number().int(), error: z.object({ message: z.string() }) }),
]);
export type ServeEngineReply = z.infer<typeof ServeEngineReplySchema>;
