/**
 * The y range of a chart: the data and the values always shown, with room around a single value.
 * A lone value v used to become [v − 1, v + 1]: an accuracy of 100% drew an axis up to 200%.
 */
export function yDomain(values: readonly number[], include: readonly number[] = []): [number, number] {
  const all = [...values, ...include].filter(Number.isFinite);
  if (all.length === 0) return [0, 1];
  const low = Math.min(...all);
  const high = Math.max(...all);
  if (low !== high) return [low, high];
  const pad = low === 0 ? 1 : Math.abs(low) * 0.1;
  return [low - pad, high + pad];
}
