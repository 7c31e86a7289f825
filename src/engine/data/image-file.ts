// One picture from disk as a model input: the same decoding, resizing and normalisation as the
// image folders, for inspection and prediction.
import { readFile } from 'node:fs/promises';
import { decodeImage } from './decode';
import { channelAffine, type Normalization } from './normalize';
import { cropBox, resample, toGray } from './resize';
import { DatasetError } from './types';

export async function readImageFile(path: string, shape: readonly [number, number, number], normalization: Normalization = 'unit'): Promise<Float32Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DatasetError(`${path}: cannot read the image (${(error as NodeJS.ErrnoException).code ?? String(error)})`, path);
  }
  const image = decodeImage(path, bytes);
  const [height, width, channels] = shape;
  if (channels !== 1 && channels !== 3) throw new DatasetError(`${path}: a model input of ${channels} channels cannot take an image`, path);
  const source = channels === 1 && image.channels === 3 ? toGray(image.data, image.width * image.height) : image.data;
  const sourceChannels = channels === 1 ? 1 : image.channels;
  const resized = resample(source, image.width, image.height, sourceChannels, cropBox(image.width, image.height, width, height, 'center-crop'), width, height);
  const { scale, offset } = channelAffine(normalization, channels);
  const out = new Float32Array(height * width * channels);
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < channels; c++) out[p * channels + c] = (resized[sourceChannels === 1 ? p : p * 3 + c] as number) * (scale[c] as number) + (offset[c] as number);
  }
  return out;
}

