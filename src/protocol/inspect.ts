/**
 * Inspection of a layer: its filters and its activations for one image. Arrays travel as a shape
 * plus base64 little-endian float32, with their range so a view can normalise without a pass.
 */
import type { BackendName } from './engine';

export interface EncodedArray {
  shape: number[];
  dtype: 'float32';
  /** base64 of the raw little-endian float32 values, row-major. */
  data: string;
  min: number;
  max: number;
}

export interface InspectRequest {
  file: string;
  model?: string;
  /** A layer's name as the summary prints it (C1, conv_2). */
  layer: string;
  /** A run folder whose best/ (else last/) weights to use; an untrained model otherwise. */
  run?: string;
  /** An image file, or the N-th example of the dataset's test split. */
  image?: string;
  sample?: number;
  dataDir?: string;
  /** As `convlab train --backend` and `--native-dir`; the best available when left out. */
  backend?: BackendName;
  nativeDir?: string;
}

export interface InspectResult {
  model: string;
  layer: string;
  type: string;
  /** Where the weights came from: 'untrained (seed N)' or a checkpoint folder. */
  weights: string;
  /** [kh, kw, inChannels, filters] for convolutions; absent for layers without a kernel. */
  filters?: EncodedArray;
  /** The input image as the model saw it: [h, w, c]. */
  input: EncodedArray;
  /** The layer's output for that image: [h, w, channels] (or [units]). */
  activations: EncodedArray;
  /** The example's label and class name when it came from the dataset. */
  label?: { index: number; name: string };
  source: string;
}

/** `convlab serve-engine`: requests and replies as JSON lines on stdio. */
export type EngineRequest = { id: number; method: 'inspect'; params: InspectRequest } | { id: number; method: 'shutdown' };

export type EngineReply = { id: number; result: InspectResult } | { id: number; error: { message: string } };
