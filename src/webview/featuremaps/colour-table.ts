import * as d3 from 'd3';
import type { ColourTable } from './tiles';

/**
 * Viridis as a 256-entry table: perceptually uniform (equal steps in value look like equal steps
 * in colour), readable in grey and by most colour-blind readers, on light and dark themes alike.
 * A table keeps d3's string colours out of the per-pixel loop.
 */
export function viridisTable(): ColourTable {
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const { r, g, b } = d3.rgb(d3.interpolateViridis(i / 255));
    table.set([r, g, b], i * 3);
  }
  return table;
}
