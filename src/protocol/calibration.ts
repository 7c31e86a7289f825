import { z } from 'zod';

/** One bin of a reliability diagram: confidence range, examples, mean confidence and accuracy. */
export const ReliabilityBinSchema = z.object({
  lower: z.number(),
  upper: z.number(),
  count: z.number(),
  confidence: z.number(),
  accuracy: z.number(),
});
export type ReliabilityBinJson = z.infer<typeof ReliabilityBinSchema>;
