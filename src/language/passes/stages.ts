import { DiagnosticSink, didYouMean } from '../diagnostic-sink';
import { totals, type LayerNode, type ModelGraph, type ParamCount } from '../layer-graph';
import { inferLayer } from './ops';
import { isBaseNode } from './pretrained';
import type { TrainSpec } from './train-spec';

/**
 * Transfer learning in two stages, as the Keras guide runs it: first the head trains on the
 * frozen base, then `finetune` unfreezes some of the base's layers and trains on at a lower
 * learning rate. A stage is just the graph with other layers frozen, so the counts, the summary
 * and the engine all read it the same way.
 */
export interface TrainingStage {
  name: 'train' | 'fine-tune';
  epochs: number;
  learningRate: number;
  params: ParamCount & { total: number };
  graph: ModelGraph;
}


/** The stages a train section runs: one, or two with `finetune`. */
export function trainingStages(graph: ModelGraph, spec: TrainSpec): TrainingStage[] {
  const first: TrainingStage = { name: 'train', epochs: spec.epochs, learningRate: spec.optimizer.lr, params: totals(graph).params, graph };
  if (!spec.finetune) return [first];
  const tuned = unfrozen(graph, spec.finetune.unfreeze);
  return [first, { name: 'fine-tune', epochs: spec.finetune.epochs, learningRate: spec.finetune.lr, params: totals(tuned).params, graph: tuned }];
}

/**
 * The graph with the selected base layers trainable again: all, the last N, or from a named
 * layer on. Batchnorm layers stay frozen: small fine-tuning batches would wreck their statistics.
 */
export function unfrozen(graph: ModelGraph, selection: number | string): ModelGraph {
  const base = graph.nodes.filter(isBaseNode);
  const from = selection === 'all' ? 0
    : typeof selection === 'number' ? Math.max(0, base.length - selection)
    : base.findIndex((n) => n.attrs.baseLayer === selection);
  if (from < 0) return graph;
  const thaw = new Set(base.slice(from).filter((n) => n.op !== 'batchnorm' && n.attrs.frozen === true).map((n) => n.id));
  const nodes = graph.nodes.map((node) => {
    if (!thaw.has(node.id)) return node;
    const attrs = { ...node.attrs };
    delete attrs.frozen;
    const input = graph.nodes[node.inputs[0]!]?.outputShape;
    const outcome = input ? inferLayer(node.op, attrs, input) : undefined;
    // The node's own attributes less `frozen`: still its op's.
    return { ...node, attrs, params: outcome?.ok ? outcome.params : node.params } as LayerNode;
  });
  return { ...graph, nodes };
}

/** Checks `finetune` against the model it trains: there must be a base, and a named layer must be in it. */
export function checkStages(spec: TrainSpec, graph: ModelGraph | undefined, sink: DiagnosticSink): void {
  const finetune = spec.finetune;
  if (!finetune || !graph) return;
  const base = graph.nodes.filter(isBaseNode);
  if (base.length === 0) {
    // A base that failed to load was reported already; its layers' shapes are unknown.
    if (graph.nodes.length > 0 && graph.nodes.every((n) => n.outputShape !== null)) sink.error('needs-base', finetune.span, `finetune unfreezes layers of a pretrained base, but model ${graph.name} has none`, 'add a pretrained line with freeze, or remove finetune');
    return;
  }
  const selection = finetune.unfreeze;
  if (typeof selection === 'string' && selection !== 'all' && !base.some((n) => n.attrs.baseLayer === selection)) {
    sink.error('unknown-name', finetune.span, `finetune: the base has no layer named '${selection}'`, didYouMean(selection, base.map((n) => n.attrs.baseLayer)));
  }
}
