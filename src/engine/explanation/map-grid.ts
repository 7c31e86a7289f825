import { PNG } from 'pngjs';

/**
 * Feature maps (H×W×C) or first-layer filters (kh×kw×in×out) as one PNG grid for a report, as
 * the assignment's matplotlib subplots show them: maps in gray, each stretched over its own range
 * so a weak map still shows its pattern; RGB filters in colour, all over one range so their
 * strengths compare. A 1-pixel gap between tiles, `scale` pixels per value.
 */
export function mapGridPng(values: Float32Array, shape: readonly number[], scale = 4): Buffer {
  const tiles = shape.length === 4 ? filterTiles(values, shape as [number, number, number, number]) : mapTiles(values, shape as [number, number, number]);
  const columns = Math.ceil(Math.sqrt(tiles.count));
  const rows = Math.ceil(tiles.count / columns);
  const [tileH, tileW] = [tiles.height * scale, tiles.width * scale];
  const width = columns * (tileW + 1) + 1;
  const height = rows * (tileH + 1) + 1;
  const png = new PNG({ width, height });
  png.data.fill(255);
  for (let t = 0; t < tiles.count; t++) {
    const [top, left] = [1 + Math.floor(t / columns) * (tileH + 1), 1 + (t % columns) * (tileW + 1)];
    for (let y = 0; y < tileH; y++) {
      for (let x = 0; x < tileW; x++) {
        const rgb = tiles.pixel(t, Math.floor(y / scale), Math.floor(x / scale));
        const at = ((top + y) * width + left + x) * 4;
        png.data[at] = rgb[0];
        png.data[at + 1] = rgb[1];
        png.data[at + 2] = rgb[2];
      }
    }
  }
  return PNG.sync.write(png);
}

interface Tiles {
  count: number;
  height: number;
  width: number;
  pixel(tile: number, y: number, x: number): [number, number, number];
}

function mapTiles(values: Float32Array, [h, w, channels]: [number, number, number]): Tiles {
  const ranges = Array.from({ length: channels }, (_, c) => {
    let [low, high] = [Infinity, -Infinity];
    for (let p = 0; p < h * w; p++) {
      const v = values[p * channels + c]!;
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
    return [low, high] as const;
  });
  return {
    count: channels, height: h, width: w,
    pixel(c, y, x) {
      const [low, high] = ranges[c]!;
      const g = high > low ? Math.round(((values[(y * w + x) * channels + c]! - low) / (high - low)) * 255) : 0;
      return [g, g, g];
    },
  };
}

function filterTiles(values: Float32Array, [kh, kw, inChannels, count]: [number, number, number, number]): Tiles {
  let bound = 0;
  for (const v of values) bound = Math.max(bound, Math.abs(v));
  const byte = (v: number) => (bound > 0 ? Math.round(((v / bound) + 1) * 127.5) : 128);
  return {
    count, height: kh, width: kw,
    pixel(f, y, x) {
      const at = ((y * kw + x) * inChannels) * count + f;
      if (inChannels === 3) return [byte(values[at]!), byte(values[at + count]!), byte(values[at + 2 * count]!)];
      const g = byte(values[at]!);
      return [g, g, g];
    },
  };
}
