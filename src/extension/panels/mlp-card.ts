/**
 * The summary's "CNN against MLP" card (the assignment's question 1): every convolution beside
 * the dense layer that would join the same input and output volumes (the server's
 * `denseEquivalent`, the hover's figure), and the two networks' totals. Pure text formatting.
 */
import type { SummaryModel } from '../../protocol/summary';

const number = (n: number) => n.toLocaleString('en-US');
const shape = (s: readonly number[] | null) => (s ? s.join('×') : '?');

/** "23,671×", or one decimal below ten. */
export function timesMore(dense: number, cnn: number): string {
  if (cnn <= 0) return '—';
  const ratio = dense / cnn;
  return ratio >= 10 ? `${number(Math.round(ratio))}×` : `${ratio.toFixed(1)}×`;
}

export interface MlpComparison {
  rows: { layer: string; input: number[]; output: number[] | null; cnnParams: number; denseParams: number }[];
  /** Parameters of every other layer (dense, batchnorm…): the same in both networks. */
  others: number;
  cnnTotal: number;
  mlpTotal: number;
}

export function mlpComparison(model: SummaryModel): MlpComparison | undefined {
  const rows = model.layers.flatMap((layer) => (layer.denseEquivalent
    ? [{ layer: `${layer.name} (${layer.type})`, input: layer.denseEquivalent.inputShape, output: layer.outputShape, cnnParams: layer.params, denseParams: layer.denseEquivalent.params }]
    : []));
  if (rows.length === 0) return undefined;
  const convolutions = rows.reduce((sum, row) => sum + row.cnnParams, 0);
  const others = model.params.total - convolutions;
  return { rows, others, cnnTotal: model.params.total, mlpTotal: others + rows.reduce((sum, row) => sum + row.denseParams, 0) };
}

/** The card's lines, or none for a model without convolutions. */
export function mlpCard(model: SummaryModel): string[] {
  const comparison = mlpComparison(model);
  if (!comparison) return [];
  const header = ['Layer (type)', 'Input → output', 'CNN params', 'Dense params', 'Dense / CNN'];
  const rows = comparison.rows.map((r) => [r.layer, `${shape(r.input)} → ${shape(r.output)}`, number(r.cnnParams), number(r.denseParams), timesMore(r.denseParams, r.cnnParams)]);
  rows.push(['Other layers (the same in both)', '', number(comparison.others), number(comparison.others), '']);
  rows.push(['Total', '', number(comparison.cnnTotal), number(comparison.mlpTotal), timesMore(comparison.mlpTotal, comparison.cnnTotal)]);
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
  const format = (row: string[]) => row.map((cell, column) => (column >= 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  const body = [format(header), ...rows.map(format)];
  const rule = '─'.repeat(Math.max(...body.map((line) => line.length)));
  return [
    'CNN against MLP: each convolution replaced by a dense layer joining the same input and output',
    'volumes (in × out weights + out biases), the other layers kept as they are.',
    rule, body[0]!, rule, ...body.slice(1, -1), rule, body.at(-1)!,
    `A convolution shares one small kernel across every position; the dense layer learns a weight for every`,
    `input-output pair, so the MLP needs ${timesMore(comparison.mlpTotal, comparison.cnnTotal)} the parameters and ignores which pixels are neighbours.`,
  ];
}
