/**
 * How a Grad-CAM heat map (src/protocol/gradcam.ts) lies over its input: bilinear sampling
 * with pixel centres mapped onto the map's grid, clamped at the edges. One definition for the
 * engine's PNG and the webview's overlay, so both show the same picture.
 */
export interface HeatMapGrid {
  height: number;
  width: number;
  /** Row-major [height, width]. */
  values: ArrayLike<number>;
}

/** The map's value at fractional map coordinates (y, x), clamped at the edges. */
export function sampleBilinear(map: HeatMapGrid, y: number, x: number): number {
  const { height: h, width: w, values } = map;
  const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));
  const y0 = clamp(Math.floor(y), h - 1);
  const x0 = clamp(Math.floor(x), w - 1);
  const y1 = clamp(y0 + 1, h - 1);
  const x1 = clamp(x0 + 1, w - 1);
  const fy = clamp(y - y0, 1);
  const fx = clamp(x - x0, 1);
  const top = values[y0 * w + x0]! * (1 - fx) + values[y0 * w + x1]! * fx;
  const bottom = values[y1 * w + x0]! * (1 - fx) + values[y1 * w + x1]! * fx;
  return top * (1 - fy) + bottom * fy;
}

/** The heat map at `width` × `height`, pixel centres mapped onto the map's grid. */
export function upsample(map: HeatMapGrid, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const my = ((y + 0.5) * map.height) / height - 0.5;
    for (let x = 0; x < width; x++) out[y * width + x] = sampleBilinear(map, my, ((x + 0.5) * map.width) / width - 0.5);
  }
  return out;
}
