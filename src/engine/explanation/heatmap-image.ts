import { PNG } from 'pngjs';
import { upsample } from '../../protocol/heatmap';
import { interpolateInferno } from './colormap';

/**
 * The Grad-CAM picture: the input as the model saw it (each channel stretched to 0–255), with
 * the heat map upsampled bilinearly to its size and blended on top in the inferno colour map.
 */
export function gradCamPng(image: Float32Array, shape: readonly [number, number, number], heatmap: Float32Array, mapHeight: number, mapWidth: number, alpha = 0.5): Buffer {
  const [height, width, channels] = shape;
  const png = new PNG({ width, height });
  const lows = new Array<number>(channels).fill(Infinity);
  const highs = new Array<number>(channels).fill(-Infinity);
  for (let i = 0; i < image.length; i++) {
    const c = i % channels;
    lows[c] = Math.min(lows[c]!, image[i]!);
    highs[c] = Math.max(highs[c]!, image[i]!);
  }
  const heats = upsample({ height: mapHeight, width: mapWidth, values: heatmap }, width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const heat = heats[y * width + x]!;
      const [hr, hg, hb] = interpolateInferno(heat);
      const base = (y * width + x) * channels;
      const grey = (c: number) => {
        const k = channels === 3 ? c : 0;
        const span = highs[k]! - lows[k]!;
        return span > 0 ? ((image[base + k]! - lows[k]!) / span) * 255 : 0;
      };
      const out = (y * width + x) * 4;
      png.data[out] = Math.round((1 - alpha) * grey(0) + alpha * hr);
      png.data[out + 1] = Math.round((1 - alpha) * grey(1) + alpha * hg);
      png.data[out + 2] = Math.round((1 - alpha) * grey(2) + alpha * hb);
      png.data[out + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}
