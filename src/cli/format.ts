/** Number and table formatting for the terminal. */

// One formatter for every call: toLocaleString builds a new one (and loads ICU data) each time.
const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function thousands(n: number): string {
  return GROUPED.format(Math.round(n));
}

/** 1.23 G, 45.6 M, 7.8 K: for multiply-adds. */
export function metric(n: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']];
  for (const [scale, unit] of units) if (Math.abs(n) >= scale) return `${(n / scale).toFixed(2)} ${unit}`;
  return String(Math.round(n));
}

/** 0.25 MB, 3.1 KB: sizes as torchinfo prints them (decimal units). */
export function bytes(count: number): string {
  if (count >= 1e6) return `${(count / 1e6).toFixed(2)} MB`;
  if (count >= 1e3) return `${(count / 1e3).toFixed(2)} KB`;
  return `${count} B`;
}

export interface Column {
  title: string;
  align: 'left' | 'right';
}

/** A plain table with a rule under the header, like Keras' summary. */
export function table(columns: Column[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (columns[i]!.align === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  return [rule, line(columns.map((c) => c.title)), rule, ...rows.map(line), rule].join('\n');
}
