import type { SummaryDiagnostic, SummaryJson, SummaryModel } from '../protocol/summary';
import type { Analysis } from './analyze';
import { totals, type LayerNode, type ModelGraph } from './graph';
import { LAYER_BY_OP } from './layers';
import { trainingStages } from './stages';
import type { LineIndex, Span } from './text';

const MERGE_TITLES: Record<string, string> = { concat: 'Concatenate', add: 'Add' };

/** Keras-style class name of a node: Conv2D, Dense, Add. */
export function layerType(node: LayerNode): string {
  return MERGE_TITLES[node.op] ?? LAYER_BY_OP.get(node.op)?.title ?? node.op;
}

/**
 * A unique display name for every node: the label written in source, else the op with a
 * counter (`conv_3`), as Keras names unnamed layers. The engine uses the same names.
 */
export function layerNames(graph: ModelGraph): string[] {
  const counters = new Map<string, number>();
  const taken = new Set(graph.nodes.map((n) => n.name).filter((n): n is string => n !== undefined));
  return graph.nodes.map((node) => {
    if (node.name !== undefined) return node.name;
    for (;;) {
      const k = (counters.get(node.op) ?? 0) + 1;
      counters.set(node.op, k);
      const candidate = `${node.op}_${k}`;
      if (!taken.has(candidate)) {
        taken.add(candidate);
        return candidate;
      }
    }
  });
}

export function summarizeModel(graph: ModelGraph, lines: LineIndex): SummaryModel {
  const sum = totals(graph);
  const names = layerNames(graph);
  return {
    name: graph.name,
    params: { total: sum.params.total, trainable: sum.params.trainable, nonTrainable: sum.params.nonTrainable },
    macs: sum.macs,
    activationBytes: sum.activationBytes,
    outputs: graph.outputs.map((o) => ({ name: o.name, layer: names[o.node]!, lossWeight: o.lossWeight })),
    layers: graph.nodes.map((node) => ({
      name: names[node.id]!,
      type: layerType(node),
      outputShape: node.outputShape,
      params: node.params.trainable + node.params.nonTrainable,
      trainableParams: node.params.trainable,
      macs: node.macs,
      receptiveField: node.receptiveField,
      range: rangeOf(lines, node.span),
    })),
  };
}

export function summarize(analysis: Analysis, file: string): SummaryJson {
  return {
    file,
    models: analysis.models.map((graph) => {
      const model = summarizeModel(graph, analysis.lines);
      const spec = analysis.trains.find((t) => t.model === graph.name);
      if (!spec?.finetune) return model;
      return { ...model, stages: trainingStages(graph, spec).map(({ name, epochs, learningRate, params }) => ({ name, epochs, learningRate, params })) };
    }),
    diagnostics: analysis.diagnostics.map((d): SummaryDiagnostic => ({ severity: d.severity, code: d.code, message: d.message, hint: d.hint, range: rangeOf(analysis.lines, d.span) })),
  };
}

export function rangeOf(lines: LineIndex, span: Span) {
  return lines.range(span.start, span.end);
}
