/**
 * `calibration.json` in a run folder: the temperature `convlab eval` fitted on the validation
 * split (Guo et al., ICML 2017), kept so other views can show calibrated probabilities
 * without fitting it again.
 */
import { z } from 'zod';

export const CALIBRATION_FILE = 'calibration.json';

export const RunCalibrationSchema = z.object({
  temperature: z.number().positive(),
  /** Which split it was fitted on. */
  fittedOn: z.string(),
});
export type RunCalibration = z.infer<typeof RunCalibrationSchema>;
