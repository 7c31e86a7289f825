/**
 * The Show summary document: a model's layers as Keras' `model.summary()` and torchinfo print
 * them (DESIGN.md), from the server's `convlab/summary` result. Pure text formatting.
 */
import type { SummaryJson, SummaryModel } from '../../protocol/summary';
import { mlpCard } from './mlp-card';

const number = (n: number) => n.toLocaleString('en-US');
const shape = (s: number[] | null) => (s ? s.join('×') : '?');

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

function table(rows: string[][], rightAligned: boolean[]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (rightAligned[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd());
}

export function summaryText(summary: SummaryJson, modelName: string, fileName: string): string {
  const model = summary.models.find((m) => m.name === modelName);
  const problems = summary.diagnostics.filter((d) => d.severity === 'error');
  const lines: string[] = [];
  if (!model) {
    lines.push(`${fileName} has no model named ${modelName}.`);
  } else {
    lines.push(...modelTable(model, fileName));
    const card = mlpCard(model);
    if (card.length > 0) lines.push('', ...card);
  }
  if (problems.length > 0) {
    lines.push('', `${problems.length} error${problems.length > 1 ? 's' : ''} (shapes after an error may be unknown):`);
    for (const d of problems) lines.push(`  ${fileName}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message} [${d.code}]`);
  }
  return `${lines.join('\n')}\n`;
}

function modelTable(model: SummaryModel, fileName: string): string[] {
  const header = ['Layer (type)', 'Output shape', 'Params', 'Mult-adds', 'Receptive field', 'Line'];
  const rows = model.layers.map((layer) => [
    `${layer.name} (${layer.type})`, shape(layer.outputShape), number(layer.params), number(layer.macs),
    `${layer.receptiveField[0]}×${layer.receptiveField[1]}`, String(layer.range.start.line + 1),
  ]);
  const body = table([header, ...rows], [false, false, true, true, true, true]);
  const rule = '─'.repeat(Math.max(...body.map((l) => l.length)));
  const outputs = model.outputs.length > 1 ? [`Outputs: ${model.outputs.map((o) => `${o.name} (${o.layer}, loss weight ${o.lossWeight})`).join(', ')}`] : [];
  return [
    `Model: ${model.name}  (${fileName})`, rule, body[0]!, rule, ...body.slice(1), rule,
    `Total params: ${number(model.params.total)}`,
    `Trainable params: ${number(model.params.trainable)}`,
    `Non-trainable params: ${number(model.params.nonTrainable)}`,
    `Mult-adds per example: ${number(model.macs)}`,
    `Activations per example: ${megabytes(model.activationBytes)}  ·  Parameters: ${megabytes(model.params.total * 4)} (float32)`,
    ...outputs,
  ];
}
