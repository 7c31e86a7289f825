import * as d3 from 'd3';

/** A colour map as 256 RGB triplets, lowest value first: keeps d3's colour strings out of per-pixel loops. */
export type ColourTable = Uint8Array;

export function colourTable(interpolate: (t: number) => string): ColourTable {
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const { r, g, b } = d3.rgb(interpolate(i / 255));
    table.set([r, g, b], i * 3);
  }
  return table;
}

/** The table's colour for a value in [0, 1] (clamped), as a byte offset into the table. */
export function tableIndex(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 255) * 3;
}
