// JPEG and PNG decoding in plain JavaScript (jpeg-js, pngjs), so the engine needs no native
// image library. The format is read from the file's first bytes, not its extension.
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DatasetError } from './types';

export interface DecodedImage {
  width: number;
  height: number;
  /** 1 for grayscale files, 3 otherwise; alpha is dropped, as PIL's convert('RGB') does. */
  channels: 1 | 3;
  /** Interleaved, `channels` bytes a pixel. */
  data: Uint8Array;
}

// jpeg-js refuses larger images; 100 megapixels is far beyond any training image.
const MAX_MEGAPIXELS = 100;

export function decodeImage(path: string, bytes: Uint8Array): DecodedImage {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return decodeJpeg(bytes);
    if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return decodePng(bytes);
  } catch (error) {
    throw new DatasetError(`${path}: cannot decode the image (${(error as Error).message}); the file may be corrupt`, path);
  }
  throw new DatasetError(`${path}: not a JPEG or PNG file (it starts with bytes ${hexStart(bytes)})`, path, 0);
}

function decodeJpeg(bytes: Uint8Array): DecodedImage {
  const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_MEGAPIXELS });
  if (image.width === 0 || image.height === 0) throw new Error('no image frame');
  const rgb = image.data;
  if (jpegComponents(bytes) !== 1) return { width: image.width, height: image.height, channels: 3, data: rgb };
  // jpeg-js always writes RGB; a grayscale file has three equal channels, so keep one.
  const gray = new Uint8Array(image.width * image.height);
  for (let p = 0; p < gray.length; p++) gray[p] = rgb[3 * p] as number;
  return { width: image.width, height: image.height, channels: 1, data: gray };
}

function decodePng(bytes: Uint8Array): DecodedImage {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  // IHDR's colour type (byte 25): 0 gray, 4 gray + alpha; pngjs expands everything to RGBA.
  const colorType = bytes[25];
  const channels = colorType === 0 || colorType === 4 ? 1 : 3;
  const pixelCount = png.width * png.height;
  const data = new Uint8Array(pixelCount * channels);
  for (let p = 0; p < pixelCount; p++) {
    for (let c = 0; c < channels; c++) data[p * channels + c] = png.data[4 * p + c] as number;
  }
  return { width: png.width, height: png.height, channels, data };
}

/** The component count in the JPEG's start-of-frame segment (1 for grayscale). */
function jpegComponents(bytes: Uint8Array): number | undefined {
  let pos = 2;
  while (pos + 9 < bytes.length) {
    if (bytes[pos] !== 0xff) return undefined;
    const marker = bytes[pos + 1] as number;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    const length = ((bytes[pos + 2] as number) << 8) | (bytes[pos + 3] as number);
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return bytes[pos + 9];
    pos += 2 + length;
  }
  return undefined;
}

function hexStart(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ') || '(empty file)';
}
