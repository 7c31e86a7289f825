import * as d3 from 'd3';
import { colourTable, type ColourTable } from '../shared/colour-table';

/**
 * Viridis: perceptually uniform (equal steps in value look like equal steps in colour),
 * readable in grey and by most colour-blind readers, on light and dark themes alike.
 */
export function viridisTable(): ColourTable {
  return colourTable(d3.interpolateViridis);
}
