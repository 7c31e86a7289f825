import type { ModelGraph } from '../../language/layer-graph';
import { layerNames } from '../../language/passes/summarize';
import type { GradientFlowEvent, GradientFlowLayer } from '../../protocol/engine';
import { tfLayerName, type CompiledModel } from '../model/compile';
import { tf } from '../backends/tf';
import { variableOf } from '../backends/tf-internals';

/** Recording every this many batches by default: cheap enough to leave on (bench/gradient-flow.bench.ts). */
export const DEFAULT_GRADIENT_FLOW_INTERVAL = 20;

/** Activations whose zero outputs can stay zero for good: the units a batch can find dead. */
const RECTIFIERS = new Set(['relu', 'relu6']);

interface Row {
  name: string;
  line: number;
  /** Indices into the step's trainable variables. */
  variables: number[];
  /** Index into the probe's extra outputs, for a layer ending in a relu. */
  relu?: number;
}

/**
 * What one recording step measures, per layer of the source: the gradient norm, the weight norm
 * before the update, the update the optimizer applied, and the share of a relu's units that no
 * example of the batch switched on. The statistics are computed from the gradients the step
 * already has and packed into one tensor, so a recording step reads back once.
 */
export class GradientFlowProbe {
  readonly rows: Row[];
  /** The trained model with every relu's output added as an extra output: the same layers and weights. */
  private readonly model: tf.LayersModel;
  private readonly mainOutputs: number;

  constructor(graph: ModelGraph, compiled: CompiledModel, trainable: tf.Variable[], lineOf: (offset: number) => number) {
    const names = layerNames(graph);
    const nodeOfLayer = new Map(names.map((name, id) => [tfLayerName(name), id]));
    const variableIndex = new Map(trainable.map((v, i) => [v.name, i]));
    const variablesOfNode = new Map<number, number[]>();
    for (const layer of compiled.model.layers) {
      if (layer.trainableWeights.length === 0) continue;
      const node = ownerOf(layer.name, nodeOfLayer);
      if (node === undefined) continue;
      const list = variablesOfNode.get(node) ?? [];
      for (const weight of layer.trainableWeights) {
        const index = variableIndex.get(variableOf(weight).name);
        if (index !== undefined) list.push(index);
      }
      variablesOfNode.set(node, list);
    }
    const reluOutputs: tf.SymbolicTensor[] = [];
    this.rows = [];
    for (const node of graph.nodes) {
      const variables = variablesOfNode.get(node.id) ?? [];
      const rectified = RECTIFIERS.has(node.op) || RECTIFIERS.has(String(node.attrs.activation ?? ''));
      if (variables.length === 0 && !rectified) continue;
      const row: Row = { name: names[node.id]!, line: lineOf(node.span.start), variables };
      if (rectified) {
        const layer = compiled.model.getLayer(compiled.layerOfNode.get(node.id)!);
        row.relu = reluOutputs.length;
        reluOutputs.push(layer.output as tf.SymbolicTensor);
      }
      this.rows.push(row);
    }
    this.mainOutputs = compiled.model.outputs.length;
    this.model = tf.model({ inputs: compiled.model.inputs, outputs: [...compiled.model.outputs, ...reluOutputs] });
  }

  /** The model's outputs in training mode, and every relu's largest value per unit over the batch. */
  applyWithMaxima(xs: tf.Tensor): { outputs: tf.Tensor[]; maxima: tf.Tensor[] } {
    const all = this.model.apply(xs, { training: true }) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(all) ? all : [all];
    return { outputs: list.slice(0, this.mainOutputs), maxima: list.slice(this.mainOutputs).map((r) => tf.max(r, 0)) };
  }

  /** The model's outputs in training mode, and every relu's share of dead units as one tensor. */
  apply(xs: tf.Tensor): { outputs: tf.Tensor[]; dead: tf.Tensor } {
    const { outputs, maxima } = this.applyWithMaxima(xs);
    // A unit (one position of one channel) is dead in a batch when no example makes it positive.
    const dead = maxima.length === 0 ? tf.zeros([0]) : tf.stack(maxima.map((m) => tf.mean(tf.cast(tf.lessEqual(m, 0), 'float32'))));
    return { outputs, dead };
  }

  /**
   * One tensor, four numbers a row: ‖gradient‖², ‖weights before‖², ‖update‖², dead share (-1
   * where the row has none). `before` are the variables' values before the optimizer applied
   * `gradients`; `after` the values now.
   */
  statistics(gradients: tf.Tensor[], before: tf.Tensor[], after: tf.Tensor[], dead: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const sumOfSquares = (tensors: tf.Tensor[]) => (tensors.length === 0 ? tf.scalar(0) : tf.addN(tensors.map((t) => tf.sum(tf.square(t)))));
      const deadValues = tf.concat([dead.reshape([-1]), tf.scalar(-1).reshape([1])]);
      const parts = this.rows.map((row) => {
        const g = sumOfSquares(row.variables.map((i) => gradients[i]!));
        const w = sumOfSquares(row.variables.map((i) => before[i]!));
        const u = sumOfSquares(row.variables.map((i) => tf.sub(after[i]!, before[i]!)));
        const d = tf.gather(deadValues, [row.relu ?? dead.size]).reshape([]);
        return tf.stack([g, w, u, d]);
      });
      return parts.length === 0 ? tf.zeros([0]) : tf.concat(parts);
    });
  }

  /** The event from the numbers statistics() packed. */
  event(values: ArrayLike<number>, at: { epoch: number; batch: number; step: number }): GradientFlowEvent {
    const layers = this.rows.map((row, r): GradientFlowLayer => {
      const [g, w, u, d] = [0, 1, 2, 3].map((k) => values[r * 4 + k]!);
      const layer: GradientFlowLayer = { name: row.name, line: row.line };
      if (row.variables.length > 0) {
        const weightNorm = Math.sqrt(w!);
        Object.assign(layer, { gradientNorm: Math.sqrt(g!), weightNorm, updateRatio: weightNorm > 0 ? Math.sqrt(u!) / weightNorm : Number.NaN });
      }
      if (row.relu !== undefined) layer.deadFraction = d!;
      return layer;
    });
    return { type: 'gradientFlow', ...at, layers };
  }

  /**
   * The numbers statistics() packs, from parts measured apart (data-parallel replicas):
   * per variable ‖gradient‖², ‖weights‖², ‖update‖², and per relu its dead share.
   */
  pack(gradientSquares: ArrayLike<number>, weightSquares: ArrayLike<number>, updateSquares: ArrayLike<number>, dead: ArrayLike<number>): Float64Array {
    const values = new Float64Array(this.rows.length * 4);
    const sum = (squares: ArrayLike<number>, row: Row) => row.variables.reduce((total, i) => total + squares[i]!, 0);
    this.rows.forEach((row, r) => {
      values.set([sum(gradientSquares, row), sum(weightSquares, row), sum(updateSquares, row), row.relu === undefined ? -1 : dead[row.relu]!], r * 4);
    });
    return values;
  }
}

/**
 * The node a TensorFlow.js layer belongs to: its own name, or a name it extends with a suffix
 * (`C1.relu`, `conv1.g0`, `block.pad`).
 */
function ownerOf(layerName: string, nodeOfLayer: Map<string, number>): number | undefined {
  for (let name = layerName; ; ) {
    const node = nodeOfLayer.get(name);
    if (node !== undefined) return node;
    const dot = name.lastIndexOf('.');
    if (dot < 0) return undefined;
    name = name.slice(0, dot);
  }
}
