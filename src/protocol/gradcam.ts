import { z } from 'zod';
import { EncodedArraySchema, LabelSchema } from './inspect';

/**
 * `convlab gradcam FILE --json`: where the model looked for one class (Grad-CAM, Selvaraju et
 * al. 2017) in one input. The heat map is at the layer's resolution; a view upsamples it onto
 * `input`, the image as the model saw it.
 */
export const GradCamResultSchema = z.object({
  model: z.string(),
  /** The layer whose maps were weighted: the last one with spatial output unless one was named. */
  layer: z.string(),
  /** Where the weights came from: 'untrained (seed N)' or a checkpoint folder. */
  weights: z.string(),
  /** An image path, or '<dataset> test example N'. */
  source: z.string(),
  /** The example's label when it came from the dataset. */
  label: LabelSchema.optional(),
  /** The class explained: the predicted one unless one was named. */
  classIndex: z.number(),
  probability: z.number(),
  /** Softmax probabilities of every class, in output order. */
  probabilities: z.array(z.number()),
  /** ReLU'd and scaled to [0, 1], row-major [height, width]. */
  heatmap: z.object({ height: z.number(), width: z.number(), values: z.array(z.number()) }),
  /** The PNG overlay written by `--out`, when asked for. */
  png: z.string().optional(),
  /** How many classes the model outputs. */
  classes: z.number(),
  /** Their names from the run's summary.json, when the run recorded them. */
  classNames: z.array(z.string()).optional(),
  /** The input as the model saw it (after normalisation): [h, w, c]. */
  input: EncodedArraySchema,
});
export type GradCamResult = z.infer<typeof GradCamResultSchema>;
