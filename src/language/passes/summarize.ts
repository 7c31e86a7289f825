import type { SummaryDiagnostic, SummaryJson, SummaryLayer, SummaryModel } from '../../protocol/summary';
import type { Analysis } from './analyze';
import { totals, type LayerNode, type ModelGraph } from '../layer-graph';
import { LAYER_BY_OP } from './layer-catalogue';
import { trainingStages } from './stages';
import type { TrainSpec } from './train-spec';
import type { LineIndex, Span } from '../text';
import { layerNames } from './layer-names';
import { denseEquivalentOf } from './dense-equivalent';

const MERGE_TITLES: Record<string, string> = { concat: 'Concatenate', add: 'Add', slice: 'Slice' };

/** Keras-style class name of a node: Conv2D, Dense, Add. */
export function layerType(node: LayerNode): string {
  return MERGE_TITLES[node.op] ?? LAYER_BY_OP.get(node.op)?.title ?? node.op;
}

export { findLayerIndex, layerNames, legacyLayerNames } from './layer-names';

export function summarizeModel(graph: ModelGraph, lines: LineIndex, spec?: TrainSpec): SummaryModel {
  const sum = totals(graph);
  const names = layerNames(graph);
  const examples = spec && trainExamples(spec);
  return {
    name: graph.name,
    params: { total: sum.params.total, trainable: sum.params.trainable, nonTrainable: sum.params.nonTrainable },
    macs: sum.macs,
    trainingMacs: trainingMacs(graph),
    ...(examples === undefined ? {} : { trainExamples: examples }),
    activationBytes: sum.activationBytes,
    outputs: graph.outputs.map((o) => ({ name: o.name, layer: names[o.node]!, lossWeight: o.lossWeight })),
    layers: graph.nodes.map((node) => summaryLayer(node, graph.nodes, names, lines)),
  };
}

function summaryLayer(node: LayerNode, nodes: readonly LayerNode[], names: readonly string[], lines: LineIndex): SummaryLayer {
  const dense = denseEquivalentOf(node, nodes);
  return {
    name: names[node.id]!,
    type: layerType(node),
    outputShape: node.outputShape,
    params: node.params.trainable + node.params.nonTrainable,
    trainableParams: node.params.trainable,
    macs: node.macs,
    receptiveField: node.receptiveField,
    range: rangeOf(lines, node.span),
    ...(dense ? { denseEquivalent: dense } : {}),
  };
}

export function summarize(analysis: Analysis, file: string): SummaryJson {
  return {
    file,
    models: analysis.models.map((graph) => {
      const spec = analysis.trains.find((t) => t.model === graph.name);
      const model = summarizeModel(graph, analysis.lines, spec);
      if (!spec?.finetune) return model;
      return { ...model, stages: trainingStages(graph, spec).map(({ name, epochs, learningRate, params }) => ({ name, epochs, learningRate, params })) };
    }),
    diagnostics: analysis.diagnostics.map((d): SummaryDiagnostic => ({ severity: d.severity, code: d.code, message: d.message, hint: d.hint, range: rangeOf(analysis.lines, d.span) })),
  };
}

/**
 * Multiply-adds of a training step per example: forward, plus the weight gradient of each
 * trainable layer, plus the activation gradient of every layer after the first trainable one
 * (nothing before it needs one: a frozen base costs its forward pass alone).
 */
export function trainingMacs(graph: ModelGraph): number {
  const first = graph.nodes.find((n) => n.params.trainable > 0);
  let total = 0;
  for (const node of graph.nodes) {
    total += node.macs;
    if (node.params.trainable > 0) total += node.macs;
    if (first && node.id > first.id) total += node.macs;
  }
  return total;
}

/** Training set sizes of the built-in datasets, before any validation holdout. */
const BUILT_IN_TRAIN_EXAMPLES: Record<string, number> = { mnist: 60_000, 'fashion-mnist': 60_000, cifar10: 50_000 };

/** Examples an epoch trains on, where the train section alone says: a built-in dataset's size less its holdout, or the limit. */
export function trainExamples(spec: TrainSpec): number | undefined {
  const size = spec.data ? BUILT_IN_TRAIN_EXAMPLES[spec.data.source] : undefined;
  const kept = size === undefined ? undefined : spec.validation.kind === 'holdout' ? size - Math.round(size * spec.validation.fraction) : size;
  if (spec.limit === undefined) return kept;
  return kept === undefined ? undefined : Math.min(kept, spec.limit);
}

export function rangeOf(lines: LineIndex, span: Span) {
  return lines.range(span.start, span.end);
}
