// Image geometry for image folders: the crop box of a resize mode, bilinear resampling that
// antialiases when shrinking (as PIL and torchvision do, so a 500-pixel photo shrunk to 32 does not
// alias), and grayscale conversion.

export type ResizeMode = 'stretch' | 'center-crop';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The part of a width×height image that is scaled to outWidth×outHeight. */
export function cropBox(width: number, height: number, outWidth: number, outHeight: number, mode: ResizeMode): Box {
  if (mode === 'stretch') return { x: 0, y: 0, width, height };
  // Scale the shorter side (relative to the target) to fit, then cut the middle of the other.
  const scale = Math.max(outWidth / width, outHeight / height);
  const boxWidth = outWidth / scale;
  const boxHeight = outHeight / scale;
  return { x: (width - boxWidth) / 2, y: (height - boxHeight) / 2, width: boxWidth, height: boxHeight };
}

interface AxisWeights {
  first: Int32Array; // first source pixel of each output pixel
  taps: Int32Array; // how many source pixels it reads
  maxTaps: number;
  weights: Float32Array; // maxTaps per output pixel
}

/** PIL's coefficients for a triangle filter whose support widens with the shrink factor. */
function axisWeights(start: number, length: number, size: number, outSize: number): AxisWeights {
  const scale = length / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const taps = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const center = start + (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support + 0.5));
    const hi = Math.min(size, Math.floor(center + support + 0.5));
    let total = 0;
    for (let k = lo; k < hi; k++) {
      const w = Math.max(0, 1 - Math.abs((k - center + 0.5) / filterScale));
      weights[i * maxTaps + k - lo] = w;
      total += w;
    }
    if (total > 0) for (let k = 0; k < hi - lo; k++) weights[i * maxTaps + k] = (weights[i * maxTaps + k] as number) / total;
    first[i] = lo;
    taps[i] = hi - lo;
  }
  return { first, taps, maxTaps, weights };
}

/** Resamples `box` of an interleaved image to outWidth×outHeight, returning floats on the 0–255 scale. */
export function resample(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  box: Box,
  outWidth: number,
  outHeight: number,
): Float32Array {
  const horizontal = axisWeights(box.x, box.width, width, outWidth);
  const vertical = axisWeights(box.y, box.height, height, outHeight);
  // Only the rows some output row reads need the horizontal pass.
  const rowStart = vertical.first[0] ?? 0;
  const rowEnd = (vertical.first[outHeight - 1] ?? 0) + (vertical.taps[outHeight - 1] ?? 0);
  const rowLength = outWidth * channels;
  const rows = new Float32Array((rowEnd - rowStart) * rowLength);
  for (let y = rowStart; y < rowEnd; y++) {
    const source = y * width * channels;
    const target = (y - rowStart) * rowLength;
    for (let x = 0; x < outWidth; x++) {
      const lo = horizontal.first[x] as number;
      const n = horizontal.taps[x] as number;
      const w0 = x * horizontal.maxTaps;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < n; k++) sum += (horizontal.weights[w0 + k] as number) * (pixels[source + (lo + k) * channels + c] as number);
        rows[target + x * channels + c] = sum;
      }
    }
  }
  const out = new Float32Array(outHeight * rowLength);
  for (let y = 0; y < outHeight; y++) {
    const lo = (vertical.first[y] as number) - rowStart;
    const n = vertical.taps[y] as number;
    const w0 = y * vertical.maxTaps;
    for (let k = 0; k < n; k++) {
      const w = vertical.weights[w0 + k] as number;
      const source = (lo + k) * rowLength;
      const target = y * rowLength;
      for (let i = 0; i < rowLength; i++) out[target + i] = (out[target + i] as number) + w * (rows[source + i] as number);
    }
  }
  return out;
}

/** ITU-R 601 luma, the weights PIL's convert('L') uses. */
export function toGray(rgb: Uint8Array, pixelCount: number): Float32Array {
  const gray = new Float32Array(pixelCount);
  for (let p = 0; p < pixelCount; p++) {
    gray[p] = 0.299 * (rgb[3 * p] as number) + 0.587 * (rgb[3 * p + 1] as number) + 0.114 * (rgb[3 * p + 2] as number);
  }
  return gray;
}
