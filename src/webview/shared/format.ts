/** Numbers as the views print them: the same conventions as `convlab summary`. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 61706 → "61,706". */
export function formatInteger(n: number): string {
  return integer.format(n);
}

/** 25557032 → "25.6 M", 4089184256 → "4.09 G", 61706 → "61.7 k", 156 → "156". */
export function formatCompact(n: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, unit] of units) {
    if (Math.abs(n) >= size) return `${significant(n / size, 3)} ${unit}`;
  }
  return formatInteger(n);
}

/** Exact below 100,000, compact above: what fits on a diagram node. */
export function formatCount(n: number): string {
  return Math.abs(n) < 100_000 ? formatInteger(n) : formatCompact(n);
}

/** [28, 28, 6] → "28×28×6"; unknown (an error upstream) → "?". */
export function formatShape(shape: readonly number[] | null): string {
  return shape === null ? '?' : shape.join('×');
}

/** 0.8945 → "89.45%". */
export function formatPercent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** 0.91 → "0.9 s", 95 → "1 min 35 s", 4000 → "1 h 6 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A measured value (loss, activation, weight, learning rate) with four significant digits: 0.3478, 8e-4. */
export function formatValue(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5) {
    const [mantissa, exponent] = x.toExponential(3).split('e') as [string, string];
    return `${String(Number(mantissa))}e${exponent.replace('+', '')}`;
  }
  return significant(x, 4);
}

function significant(x: number, digits: number): string {
  return String(Number(x.toPrecision(digits)));
}
