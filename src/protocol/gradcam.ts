import type { EncodedArray } from './inspect';

/**
 * `convlab gradcam FILE --json`: where the model looked for one class (Grad-CAM, Selvaraju et
 * al. 2017) in one input. The heat map is at the layer's resolution; a view upsamples it onto
 * `input`, the image as the model saw it.
 */
export interface GradCamResult {
  model: string;
  /** The layer whose maps were weighted: the last one with spatial output unless one was named. */
  layer: string;
  /** Where the weights came from: 'untrained (seed N)' or a checkpoint folder. */
  weights: string;
  /** An image path, or '<dataset> test example N'. */
  source: string;
  /** The example's label when it came from the dataset. */
  label?: { index: number; name: string };
  /** The class explained: the predicted one unless one was named. */
  classIndex: number;
  probability: number;
  /** Softmax probabilities of every class, in output order. */
  probabilities: number[];
  /** ReLU'd and scaled to [0, 1], row-major [height, width]. */
  heatmap: { height: number; width: number; values: number[] };
  /** The PNG overlay written by `--out`, when asked for. */
  png?: string;
  /** How many classes the model outputs. */
  classes: number;
  /** Their names from the run's summary.json, when the run recorded them. */
  classNames?: string[];
  /** The input as the model saw it (after normalisation): [h, w, c]. */
  input: EncodedArray;
}
