import type { ReliabilityBinJson } from '../../protocol/calibration';

/**
 * The bars of a reliability diagram: for each confidence bin with examples, its accuracy. With
 * the bins before temperature scaling as well, each bin holds two bars side by side (before on
 * the left), so the effect of the temperature reads bin by bin. Pure, for unit tests.
 */
export interface ReliabilityBar {
  series: 'before' | 'after';
  /** Where the bar stands on the confidence axis, within its bin. */
  x0: number;
  x1: number;
  bin: ReliabilityBinJson;
}

export function reliabilityBars(after: readonly ReliabilityBinJson[], before?: readonly ReliabilityBinJson[]): ReliabilityBar[] {
  const bars: ReliabilityBar[] = [];
  const split = before !== undefined && before.length > 0;
  for (const bin of before ?? []) {
    if (bin.count > 0) bars.push({ series: 'before', x0: bin.lower, x1: (bin.lower + bin.upper) / 2, bin });
  }
  for (const bin of after) {
    if (bin.count > 0) bars.push({ series: 'after', x0: split ? (bin.lower + bin.upper) / 2 : bin.lower, x1: bin.upper, bin });
  }
  return bars;
}

/** Accuracy minus confidence: negative is over-confident (the usual way for a trained CNN). */
export function calibrationGap(bin: ReliabilityBinJson): number {
  return bin.accuracy - bin.confidence;
}
