import type { EncodedArray } from '../../protocol/inspect';
import type { ColourTable } from '../shared/colour-table';
import { decodeFloat32 } from '../../protocol/encoded-array';
import { formatValue } from '../shared/format';

/**
 * Turns a layer's filters and activations into small RGBA images, one per filter or map. Each
 * tile is normalised to its own range, so a filter with small weights or a weakly firing map is
 * still readable; the hover reading gives the raw value.
 */

export interface Tile {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  /** The raw value(s) under a pixel, as the hover reads them. */
  valueAt(x: number, y: number): string;
  /** min to max before normalising. */
  range: [number, number];
}

export type { ColourTable };

/**
 * Filters of shape [kh, kw, inChannels, count]: one tile per filter. With 3 input channels the
 * tile is the filter in colour (its weights for R, G, B); otherwise grey, the mean of the filter's
 * weights over its input channels.
 */
export function filterTiles(filters: EncodedArray): Tile[] {
  const [kh, kw, inChannels, count] = filters.shape as [number, number, number, number];
  const values = decodeFloat32(filters);
  const at = (y: number, x: number, c: number, f: number) => values[((y * kw + x) * inChannels + c) * count + f]!;
  const tiles: Tile[] = [];
  for (let f = 0; f < count; f++) {
    if (inChannels === 3) {
      const rgb = new Float32Array(kh * kw * 3);
      for (let p = 0; p < kh * kw; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = at(Math.floor(p / kw), p % kw, c, f);
      tiles.push(colourTile(kw, kh, rgb));
    } else {
      const mean = new Float32Array(kh * kw);
      for (let p = 0; p < kh * kw; p++) {
        let sum = 0;
        for (let c = 0; c < inChannels; c++) sum += at(Math.floor(p / kw), p % kw, c, f);
        mean[p] = sum / inChannels;
      }
      tiles.push(greyTile(kw, kh, mean));
    }
  }
  return tiles;
}

/** Activations [h, w, channels] as one tile per channel; a vector [units] as one strip. */
export function activationTiles(activations: EncodedArray, colours: ColourTable): Tile[] {
  const values = decodeFloat32(activations);
  if (activations.shape.length !== 3) return [mappedTile(values.length, 1, values, colours)];
  const [h, w, channels] = activations.shape as [number, number, number];
  const tiles: Tile[] = [];
  for (let c = 0; c < channels; c++) {
    const map = new Float32Array(h * w);
    for (let p = 0; p < h * w; p++) map[p] = values[p * channels + c]!;
    tiles.push(mappedTile(w, h, map, colours));
  }
  return tiles;
}

/** The input image [h, w, c] as the model saw it: grey for one channel, colour for three. */
export function imageTile(input: EncodedArray): Tile {
  const [h, w, channels] = input.shape as [number, number, number];
  const values = decodeFloat32(input);
  return channels === 3 ? colourTile(w, h, values) : greyTile(w, h, channels === 1 ? values : values.filter((_, i) => i % channels === 0));
}

function greyTile(width: number, height: number, values: Float32Array): Tile {
  const [low, scale, range] = normaliser(values);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const v = Math.round((values[p]! - low) * scale * 255);
    rgba[p * 4] = rgba[p * 4 + 1] = rgba[p * 4 + 2] = v;
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba, range, valueAt: (x, y) => formatValue(values[y * width + x]!) };
}

/** Interleaved RGB values, normalised together so the colour balance is the filter's own. */
function colourTile(width: number, height: number, rgb: Float32Array): Tile {
  const [low, scale, range] = normaliser(rgb);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.round((rgb[p * 3 + c]! - low) * scale * 255);
    rgba[p * 4 + 3] = 255;
  }
  const valueAt = (x: number, y: number) => {
    const p = (y * width + x) * 3;
    return `R ${formatValue(rgb[p]!)}, G ${formatValue(rgb[p + 1]!)}, B ${formatValue(rgb[p + 2]!)}`;
  };
  return { width, height, rgba, range, valueAt };
}

function mappedTile(width: number, height: number, values: Float32Array, colours: ColourTable): Tile {
  const [low, scale, range] = normaliser(values);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const index = Math.round((values[p]! - low) * scale * 255) * 3;
    rgba[p * 4] = colours[index]!;
    rgba[p * 4 + 1] = colours[index + 1]!;
    rgba[p * 4 + 2] = colours[index + 2]!;
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba, range, valueAt: (x, y) => formatValue(values[y * width + x]!) };
}

/** [low, 1 / (high − low), [low, high]]; a constant tile maps to 0. */
function normaliser(values: Float32Array): [number, number, [number, number]] {
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return [low, high > low ? 1 / (high - low) : 0, [low, high]];
}
