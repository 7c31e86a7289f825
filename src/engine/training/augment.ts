import type { TrainSpec } from '../../language/passes/train-spec';

export type AugmentSpec = TrainSpec['augment'];

export function augments(spec: AugmentSpec): boolean {
  return spec.flip || spec.vflip || spec.crop > 0 || spec.rotate > 0 || spec.zoom > 0 || spec.shift > 0 || spec.shear > 0;
}

/**
 * Randomly transforms each example of an NHWC batch, in place, from a seeded random source:
 * flips, then one affine warp per example (rotation, zoom, shift, shear, and the padded random
 * crop as a whole-pixel shift with zeros), sampled bilinearly. Done on the CPU in JavaScript so it
 * behaves the same on every backend and stays reproducible from the run's seed.
 */
export function augmentBatch(x: Float32Array, count: number, shape: readonly [number, number, number], spec: AugmentSpec, random: () => number): void {
  const [h, w, c] = shape;
  const size = h * w * c;
  const scratch = new Float32Array(size);
  for (let n = 0; n < count; n++) {
    const example = x.subarray(n * size, (n + 1) * size);
    if (spec.flip && random() < 0.5) flip(example, h, w, c, 'horizontal');
    if (spec.vflip && random() < 0.5) flip(example, h, w, c, 'vertical');
    const matrix = randomAffine(spec, h, w, random);
    if (matrix) {
      warp(example, scratch, h, w, c, matrix.inverse, matrix.fill);
      example.set(scratch);
    }
  }
}

function flip(example: Float32Array, h: number, w: number, c: number, axis: 'horizontal' | 'vertical'): void {
  if (axis === 'horizontal') {
    for (let y = 0; y < h; y++) {
      for (let left = 0, right = w - 1; left < right; left++, right--) {
        for (let k = 0; k < c; k++) swap(example, (y * w + left) * c + k, (y * w + right) * c + k);
      }
    }
  } else {
    for (let top = 0, bottom = h - 1; top < bottom; top++, bottom--) {
      for (let i = 0; i < w * c; i++) swap(example, top * w * c + i, bottom * w * c + i);
    }
  }
}

function swap(a: Float32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Maps output pixel (x, y) to the input pixel it samples: [a, b, tx, c, d, ty]. */
type Affine = [number, number, number, number, number, number];

function randomAffine(spec: AugmentSpec, h: number, w: number, random: () => number): { inverse: Affine; fill: 'zero' | 'nearest' } | undefined {
  const uniform = (limit: number) => (random() * 2 - 1) * limit;
  let dx = 0;
  let dy = 0;
  let fill: 'zero' | 'nearest' = 'nearest';
  if (spec.crop > 0) {
    // Pad by N and crop back at a random place: a whole-pixel shift with zeros coming in.
    dx = Math.round(uniform(spec.crop));
    dy = Math.round(uniform(spec.crop));
    fill = 'zero';
  }
  if (spec.shift > 0) {
    dx += uniform(spec.shift) * w;
    dy += uniform(spec.shift) * h;
  }
  const angle = (uniform(spec.rotate) * Math.PI) / 180;
  const shear = (uniform(spec.shear) * Math.PI) / 180;
  const zoom = spec.zoom > 0 ? 1 + uniform(spec.zoom) : 1;
  if (dx === 0 && dy === 0 && angle === 0 && shear === 0 && zoom === 1) return undefined;
  // Inverse map about the centre: rotate by -angle, unshear, unzoom, unshift.
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const a = cos / zoom;
  const b = (sin + Math.tan(shear) * cos) / zoom;
  const c = -sin / zoom;
  const d = (cos - Math.tan(shear) * sin) / zoom;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const tx = cx - a * (cx + dx) - b * (cy + dy);
  const ty = cy - c * (cx + dx) - d * (cy + dy);
  return { inverse: [a, b, tx, c, d, ty], fill };
}

function warp(source: Float32Array, target: Float32Array, h: number, w: number, channels: number, m: Affine, fill: 'zero' | 'nearest'): void {
  const [a, b, tx, c, d, ty] = m;
  const at = (y: number, x: number, k: number): number => {
    if (x < 0 || y < 0 || x >= w || y >= h) {
      if (fill === 'zero') return 0;
      x = Math.min(w - 1, Math.max(0, x));
      y = Math.min(h - 1, Math.max(0, y));
    }
    return source[(y * w + x) * channels + k]!;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = a * x + b * y + tx;
      const sy = c * x + d * y + ty;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let k = 0; k < channels; k++) {
        const top = at(y0, x0, k) * (1 - fx) + at(y0, x0 + 1, k) * fx;
        const bottom = at(y0 + 1, x0, k) * (1 - fx) + at(y0 + 1, x0 + 1, k) * fx;
        target[(y * w + x) * channels + k] = top * (1 - fy) + bottom * fy;
      }
    }
  }
}
