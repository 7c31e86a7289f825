import type { GraphNodeJson } from '../../protocol/graph';
import { formatCompact, formatInteger, formatShape } from '../shared/format';
import type { Block, VisibleNode } from './visible-graph';

/** The tooltip of a diagram node: title and lines. */
export function tooltipText(node: VisibleNode): { title: string; lines: string[] } {
  return node.kind === 'layer' ? layerTooltip(node.layer) : blockTooltip(node.block);
}

function layerTooltip(layer: GraphNodeJson): { title: string; lines: string[] } {
  const lines = [
    `output ${formatShape(layer.outputShape)}`,
    `parameters ${countWithTrainable(layer.params, layer.trainableParams)}`,
    `multiply-adds ${countWithCompact(layer.macs)}`,
  ];
  if (layer.scope.length > 0) lines.push(`in ${layer.scope.map((s) => s.label ?? s.block).join(' › ')}`);
  if (layer.synthetic === 'shortcut') lines.push('projection shortcut, added so the shapes of the residual add match');
  lines.push(`line ${layer.range.start.line + 1} · click to go there`);
  return { title: `${layer.name} (${layer.type})`, lines };
}

function blockTooltip(block: Block): { title: string; lines: string[] } {
  return {
    title: block.title,
    lines: [
      `${block.layerIds.length} layers, collapsed · click to expand`,
      `output ${formatShape(block.outputShape)}`,
      `parameters ${countWithTrainable(block.params, block.trainableParams)}`,
      `multiply-adds ${countWithCompact(block.macs)}`,
      `called at line ${block.range.start.line + 1}`,
    ],
  };
}

function countWithTrainable(total: number, trainable: number): string {
  return trainable === total ? formatInteger(total) : `${formatInteger(total)} (${formatInteger(trainable)} trainable)`;
}

function countWithCompact(n: number): string {
  return n >= 100_000 ? `${formatInteger(n)} (${formatCompact(n)})` : formatInteger(n);
}
