import { encodeFloat32 } from '../../protocol/encoded-array';
import type { SampleInput, SampleInputRequest } from '../../protocol/sample-input';
import { channelAffine } from '../data/normalize';
import { normalizationFor, openTrainingData } from '../data/training-data';
import { DatasetError, DatasetNotDownloadedError } from '../data/types';
import { loadModelFile, ModelFileError } from '../model/model-file';
import { derivedData } from './feature-maps';

/**
 * One example of a model's test split (its validation images where there is no test set), sized
 * as training sizes it, as display pixels in 0..1. Nothing is compiled and nothing is downloaded:
 * a dataset that is not on disk, or a model without data, is an answer with the reason.
 */
export async function sampleInput(request: SampleInputRequest): Promise<SampleInput> {
  const loaded = loadModelFile(request.file, request.model);
  const { graph, spec } = loaded;
  const shape = graph.nodes[0]!.outputShape;
  if (!shape || shape.length !== 3) return { available: false, reason: `${graph.name} takes vectors, not images` };
  const data = spec.data ?? derivedData(loaded);
  if (!data) return { available: false, reason: `${graph.name} has no train section with a data line, so there is no sample input` };
  const [h, w, c] = shape as [number, number, number];
  let opened;
  try {
    opened = await openTrainingData(graph, { ...spec, data, validation: { kind: 'none' } }, { file: request.file, dataDir: request.dataDir, anyHead: true, download: false });
  } catch (error) {
    if (error instanceof DatasetNotDownloadedError) return { available: false, reason: `${displayName(error.dataset)} is not downloaded yet: train once or set convlab.dataDir` };
    if (error instanceof DatasetError || error instanceof ModelFileError) return { available: false, reason: `no sample input: ${firstLine(error.message)}` };
    throw error;
  }
  const index = request.index ?? 0;
  if (index >= opened.test.count) return { available: false, reason: `${opened.event.name} has ${opened.test.count} test examples, not ${index + 1}` };
  const size = h * w * c;
  let seen = 0;
  for await (const batch of opened.test.batches(Math.min(256, index + 1))) {
    if (index < seen + batch.count) {
      const k = index - seen;
      const labelIndex = batch.labels[k]!;
      const normalization = normalizationFor(data.source, data.normalize, data);
      return {
        available: true, dataset: opened.event.name, source: opened.event.source, index,
        label: { index: labelIndex, name: opened.event.classes[labelIndex] ?? String(labelIndex) },
        pixels: encodeFloat32(displayPixels(batch.x.subarray(k * size, (k + 1) * size), c, normalization), [h, w, c]),
      };
    }
    seen += batch.count;
  }
  return { available: false, reason: `${opened.event.name}: test example ${index} was not found` };
}

/**
 * Undoes the training normalisation (value = byte·scale + offset of source channel) back to
 * byte/255, in RGB order where the model was fed BGR, clamped for display.
 */
export function displayPixels(values: Float32Array, channels: number, normalization: Parameters<typeof channelAffine>[0]): Float32Array {
  const { scale, offset, source } = channelAffine(normalization, channels);
  const out = new Float32Array(values.length);
  for (let p = 0; p < values.length; p += channels) {
    for (let ch = 0; ch < channels; ch++) {
      const byte = (values[p + ch]! - offset[ch]!) / scale[ch]!;
      out[p + source[ch]!] = Math.min(1, Math.max(0, byte / 255));
    }
  }
  return out;
}

const DISPLAY_NAMES: Record<string, string> = { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST', cifar10: 'CIFAR-10', cifar100: 'CIFAR-100' };

function displayName(dataset: string): string {
  return DISPLAY_NAMES[dataset] ?? dataset;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}
