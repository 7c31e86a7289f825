import type { ModelGraph } from '../../language/layer-graph';
import { findLayerIndex, layerNames } from '../../language/passes/summarize';
import type { CompiledModel } from '../model/compile';
import { ModelFileError } from '../model/model-file';
import { tf } from '../backends/tf';

export interface GradCam {
  /** The layer whose maps are weighted: the last layer with spatial output unless named. */
  layer: string;
  /** The class explained: the predicted one unless named. */
  classIndex: number;
  /** Softmax probabilities of every class for the image. */
  probabilities: Float32Array;
  /** Heat map at the layer's resolution, [h, w], ReLU'd and scaled to [0, 1]. */
  heatmap: Float32Array;
  height: number;
  width: number;
}

/**
 * Grad-CAM (Selvaraju et al., ICCV 2017): the layer's maps weighted by the mean gradient of the
 * class score over each map, summed, ReLU'd. The gradient needs the model from the layer on as a
 * function of the layer's output: the layers are replayed with the maps in its place, so any
 * layer with H×W×C maps works, inside a residual stage or a pretrained base too.
 */
export function gradCam(graph: ModelGraph, compiled: CompiledModel, image: Float32Array, options: { layer?: string; classIndex?: number } = {}): GradCam {
  const names = layerNames(graph);
  const spatial = graph.nodes.filter((n) => n.outputShape?.length === 3 && n.op !== 'input');
  const node = options.layer === undefined ? spatial.at(-1) : graph.nodes[findLayerIndex(graph, options.layer)];
  if (!node) throw new ModelFileError(options.layer === undefined ? `model ${graph.name} has no layer with maps to explain` : `model ${graph.name} has no layer '${options.layer}'`);
  if (node.outputShape?.length !== 3) throw new ModelFileError(`${names[node.id]} gives ${node.outputShape?.join('×') ?? 'no known shape'}, not maps: Grad-CAM needs a layer with an H×W×C output`);
  const model = compiled.model;
  const layer = model.getLayer(compiled.layerOfNode.get(node.id)!);
  const inputShape = graph.nodes[0]!.outputShape!;
  return tf.tidy(() => {
    const x = tf.tensor(image, [1, ...inputShape]);
    const maps = (tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor }).predict(x) as tf.Tensor4D);
    // The model from the maps on: the same layers (and weights) replayed with the maps in the
    // layer's place, so shortcuts and branches after it are followed as the model has them.
    const outputLayer = compiled.layerOfNode.get(graph.outputs[0]!.node)!;
    const head = (a: tf.Tensor): tf.Tensor => replayWith(model, x, layer.name, a, outputLayer);
    const logits = head(maps);
    const probabilities = (compiled.outputKinds[0] === 'logits' ? tf.softmax(logits) : logits).dataSync() as Float32Array;
    const classIndex = options.classIndex ?? argmax(probabilities);
    if (classIndex < 0 || classIndex >= probabilities.length) throw new ModelFileError(`class ${classIndex} is not one of the ${probabilities.length} classes`);
    // The class score through a one-hot mask: gather's gradient needs a kernel wasm lacks.
    const mask = tf.oneHot([classIndex], probabilities.length).toFloat();
    const gradient = tf.grad((a: tf.Tensor) => head(a).mul(mask).sum())(maps) as tf.Tensor4D;
    const weights = gradient.mean([1, 2], true);
    const cam = maps.mul(weights).sum(-1).squeeze([0]).relu();
    const peak = cam.max().dataSync()[0]!;
    const heatmap = (peak > 0 ? cam.div(peak) : cam).dataSync() as Float32Array;
    const [, height, width] = maps.shape;
    return { layer: names[node.id]!, classIndex, probabilities: Float32Array.from(probabilities), heatmap: Float32Array.from(heatmap), height, width };
  });
}

/**
 * Runs a functional model on `x` in inference mode with one layer's output replaced by
 * `replacement`, and returns the output of `outputLayer`: the rest of the model as a function of
 * that layer's maps, which is what Grad-CAM differentiates. Layers come in the model's own
 * topological order; each was called once when the model was built, so its one inbound node
 * says what it reads.
 */
function replayWith(model: tf.LayersModel, x: tf.Tensor, replaced: string, replacement: tf.Tensor, outputLayer: string): tf.Tensor {
  const values = new Map<number, tf.Tensor>([[model.inputs[0]!.id, x]]);
  for (const layer of model.layers) {
    const node = layer.inboundNodes[0];
    if (!node || node.inboundLayers.length === 0) continue;
    const inputs = node.inputTensors.map((t) => values.get(t.id));
    if (inputs.some((t) => t === undefined)) throw new Error(`Grad-CAM: ${layer.name} reads a tensor not computed yet`);
    const output = layer.name === replaced ? replacement : layer.apply(inputs.length === 1 ? inputs[0]! : (inputs as tf.Tensor[]), { training: false }) as tf.Tensor;
    values.set(node.outputTensors[0]!.id, output);
    if (layer.name === outputLayer) return output;
  }
  throw new Error(`Grad-CAM: the model has no layer ${outputLayer}`);
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
