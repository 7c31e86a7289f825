/**
 * Inspection of a layer: its filters and its activations for one image. Arrays travel as a shape
 * plus base64 little-endian float32, with their range so a view can normalise without a pass
 * (the encoding: src/protocol/encoded-array.ts).
 */
import { z } from 'zod';
import { BackendNameSchema } from './engine';

export const EncodedArraySchema = z.object({
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.literal('float32'),
  /** base64 of the raw little-endian float32 values, row-major. */
  data: z.string(),
  min: z.number(),
  max: z.number(),
});
export type EncodedArray = z.infer<typeof EncodedArraySchema>;

/** A dataset example's label: its index and class name. */
export const LabelSchema = z.object({ index: z.number(), name: z.string() });

export const InspectRequestSchema = z.object({
  file: z.string(),
  model: z.string().optional(),
  /** A layer's name as the summary prints it (C1, conv_2). */
  layer: z.string(),
  /** A run folder whose best/ (else last/) weights to use; an untrained model otherwise. */
  run: z.string().optional(),
  /** An image file, or the N-th example of the dataset's test split. */
  image: z.string().optional(),
  sample: z.number().int().nonnegative().optional(),
  dataDir: z.string().optional(),
  /** As `convlab train --backend` and `--native-dir`; the best available when left out. */
  backend: BackendNameSchema.optional(),
  nativeDir: z.string().optional(),
});
export type InspectRequest = z.infer<typeof InspectRequestSchema>;

export const InspectResultSchema = z.object({
  model: z.string(),
  layer: z.string(),
  type: z.string(),
  /** Where the weights came from: 'untrained (seed N)' or a checkpoint folder. */
  weights: z.string(),
  /** [kh, kw, inChannels, filters] for convolutions; absent for layers without a kernel. */
  filters: EncodedArraySchema.optional(),
  /** The input image as the model saw it: [h, w, c]. */
  input: EncodedArraySchema,
  /** The layer's output for that image: [h, w, channels] (or [units]). */
  activations: EncodedArraySchema,
  /** The example's label and class name when it came from the dataset. */
  label: LabelSchema.optional(),
  source: z.string(),
});
export type InspectResult = z.infer<typeof InspectResultSchema>;

/** `convlab serve-engine`: requests and replies as JSON lines on stdio. */
export const EngineRequestSchema = z.discriminatedUnion('method', [
  z.object({ id: z.number().int(), method: z.literal('inspect'), params: InspectRequestSchema }),
  z.object({ id: z.number().int(), method: z.literal('shutdown') }),
]);
export type EngineRequest = z.infer<typeof EngineRequestSchema>;

export const EngineReplySchema = z.union([
  z.object({ id: z.number().int(), result: InspectResultSchema }),
  z.object({ id: z.number().int(), error: z.object({ message: z.string() }) }),
]);
export type EngineReply = z.infer<typeof EngineReplySchema>;
