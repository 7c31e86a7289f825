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
  return imageBytesToInput(bytes, path, shape, normalization);
}

/**
 * Encoded image bytes (JPEG or PNG) to one model input; `name` says where they came from in
 * errors. Images above `maxPixels` are refused before decoding, from their header.
 */
export function imageBytesToInput(bytes: Uint8Array, name: string, shape: readonly [number, number, number], normalization: Normalization = 'unit', maxPixels = 50_000_000): Float32Array {
  const size = imageSize(bytes);
  if (size && size.width * size.height > maxPixels) throw new DatasetError(`${name}: ${size.width}×${size.height} pixels is more than the ${maxPixels.toLocaleString('en-US')} allowed`, name);
  const image = decodeImage(name, bytes);
  const [height, width, channels] = shape;
  if (channels !== 1 && channels !== 3) throw new DatasetError(`${name}: a model input of ${channels} channels cannot take an image`, name);
  const source = channels === 1 && image.channels === 3 ? toGray(image.data, image.width * image.height) : image.data;
  const sourceChannels = channels === 1 ? 1 : image.channels;
  const resized = resample(source, image.width, image.height, sourceChannels, cropBox(image.width, image.height, width, height, 'center-crop'), width, height);
  const { scale, offset, source: from } = channelAffine(normalization, channels);
  const out = new Float32Array(height * width * channels);
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < channels; c++) out[p * channels + c] = (resized[sourceChannels === 1 ? p : p * 3 + (from[c] as number)] as number) * (scale[c] as number) + (offset[c] as number);
  }
  return out;
}


/** Width and height from a PNG's IHDR or a JPEG's first SOF marker, without decoding. */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && bytes[0] === 0x89 && bytes[1] === 0x50) return { width: view.getUint32(16), height: view.getUint32(20) };
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    const length = view.getUint16(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    at += 2 + length;
  }
  return undefined;
}
