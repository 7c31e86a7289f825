/**
 * The confusion matrix as cells to draw. Colour follows each true class's row share, not the raw
 * count, so a rare class's mistakes show as plainly as a common one's (a test split is rarely
 * balanced: 234 NORMAL against 390 PNEUMONIA chest X-rays). Pure, so it is unit-tested in Node.
 */

export interface MatrixCell {
  /** The true class (row) and the predicted class (column). */
  row: number;
  column: number;
  count: number;
  /** count / examples of the true class; 0 for a class with no test examples. */
  share: number;
  correct: boolean;
}

/** Each row divided by its sum: row r, column c is P(predicted c | true r). Empty rows stay 0. */
export function rowShares(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count) => (total > 0 ? count / total : 0));
  });
}

export function matrixCells(confusion: readonly (readonly number[])[]): MatrixCell[] {
  const shares = rowShares(confusion);
  return confusion.flatMap((row, r) => row.map((count, c) => ({ row: r, column: c, count, share: shares[r]![c]!, correct: r === c })));
}

/**
 * A cell's fill: the theme's blue for correct predictions, red for mistakes, mixed into the
 * editor background by the row share. A non-empty cell gets at least a tint, so a single
 * mistake among hundreds still shows.
 */
export function cellFill(cell: Pick<MatrixCell, 'share' | 'count' | 'correct'>): string {
  const colour = cell.correct ? 'var(--vscode-charts-blue, #3794ff)' : 'var(--vscode-charts-red, #f14c4c)';
  const percent = cell.count === 0 ? 0 : Math.round(MIN_TINT + (100 - MIN_TINT) * Math.min(1, Math.max(0, cell.share)));
  return `color-mix(in srgb, ${colour} ${percent}%, var(--vscode-editor-background, #1f1f1f))`;
}

/** The tint, in percent, of a cell with one example in a large row. */
export const MIN_TINT = 10;

/** Above this share the fill is dark or saturated enough that the count is written in the contrasting colour. */
export const STRONG_SHARE = 0.5;

/** The side of a cell in pixels: large for two classes, small for a hundred, within the space there is. */
export function cellSize(classes: number, availableWidth: number): number {
  return Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor(availableWidth / Math.max(1, classes))));
}

export const MIN_CELL = 14;
export const MAX_CELL = 96;
/** Below this cell size the counts do not fit and only the hover reads them. */
export const COUNT_FITS = 26;
