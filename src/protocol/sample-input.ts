/**
 * One input example of a model's dataset as pixels (`convlab serve-engine` method `sampleInput`),
 * for views that draw what a model is fed, such as the architecture view's receptive-field inset.
 * It never downloads: a dataset that is not on disk yet is answered with the reason, not fetched.
 */
import { z } from 'zod';
import { EncodedArraySchema, LabelSchema } from './inspect';

export const SampleInputRequestSchema = z.object({
  /** The model file on disk, and the model in it (the first when left out). */
  file: z.string(),
  model: z.string().optional(),
  /** Which example of the test split (else validation); 0 when left out. */
  index: z.number().int().nonnegative().optional(),
  /** A data folder looked in first, as `convlab train --data-dir`. */
  dataDir: z.string().optional(),
});
export type SampleInputRequest = z.infer<typeof SampleInputRequestSchema>;

export const SampleInputSchema = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    /** The dataset's name (mnist, cifar10, a folder's name) and where it was read from. */
    dataset: z.string(),
    source: z.string(),
    index: z.number().int().nonnegative(),
    label: LabelSchema,
    /** [h, w, c] as the model's input is sized, c = 1 or 3 in RGB order, values in 0..1 for display. */
    pixels: EncodedArraySchema,
  }),
  z.object({
    available: z.literal(false),
    /** Why there is no example, in a sentence for the view's caption. */
    reason: z.string(),
  }),
]);
export type SampleInput = z.infer<typeof SampleInputSchema>;

/** The serve-engine reply that carries it (errors are ServeEngineReply's, src/protocol/explain.ts). */
export const SampleInputReplySchema = z.object({ id: z.number().int(), result: SampleInputSchema });
export type SampleInputReply = z.infer<typeof SampleInputReplySchema>;
