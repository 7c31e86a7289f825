import type { GradCamResult } from '../../protocol/gradcam';
import type { EncodedArray } from '../../protocol/inspect';
import { tableIndex, type ColourTable } from '../shared/colour-table';
import { decodeFloat32 } from '../../protocol/encoded-array';
import { upsample } from '../../protocol/heatmap';

/**
 * The Grad-CAM picture, drawn in the view so the opacity can change without asking the engine:
 * the input as the model saw it (each channel stretched to 0–255, as the engine's PNG does),
 * enlarged with crisp pixels, and the heat map upsampled bilinearly on top. Pure, for unit tests.
 */

export interface RgbImage {
  width: number;
  height: number;
  /** Three bytes a pixel, row-major. */
  rgb: Uint8ClampedArray;
}

export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
}

export type HeatMap = GradCamResult['heatmap'];

/** [h, w, c] floats to RGB: grey for one channel, colour for three, the first channel otherwise. */
export function inputPixels(input: EncodedArray): RgbImage {
  const [height, width, channels] = input.shape as [number, number, number];
  const values = decodeFloat32(input);
  const colour = channels === 3;
  const stretch = Array.from({ length: colour ? 3 : 1 }, (_, c) => {
    let low = Infinity;
    let high = -Infinity;
    for (let p = 0; p < width * height; p++) {
      const v = values[p * channels + c]!;
      if (v < low) low = v;
      if (v > high) high = v;
    }
    return { low, scale: high > low ? 255 / (high - low) : 0 };
  });
  const rgb = new Uint8ClampedArray(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < 3; k++) {
      const c = colour ? k : 0;
      const { low, scale } = stretch[c]!;
      rgb[p * 3 + k] = Math.round((values[p * channels + c]! - low) * scale);
    }
  }
  return { width, height, rgb };
}

/**
 * The image enlarged `scale` times with the heat map blended on top: opacity 0 is the image
 * alone, 1 the heat map alone.
 */
export function overlayPixels(image: RgbImage, map: HeatMap, colours: ColourTable, opacity: number, scale = 1): RgbaImage {
  const width = image.width * scale;
  const height = image.height * scale;
  const heat = upsample(map, width, height);
  const alpha = Math.min(1, Math.max(0, opacity));
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const source = Math.floor(y / scale) * image.width;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const s = (source + Math.floor(x / scale)) * 3;
      const t = tableIndex(heat[p]!);
      for (let k = 0; k < 3; k++) rgba[p * 4 + k] = Math.round((1 - alpha) * image.rgb[s + k]! + alpha * colours[t + k]!);
      rgba[p * 4 + 3] = 255;
    }
  }
  return { width, height, rgba };
}

/** How many times to enlarge an image so its longer side comes near `target` pixels (never shrinks). */
export function displayScale(width: number, height: number, target: number): number {
  return Math.max(1, Math.floor(target / Math.max(width, height, 1)));
}
