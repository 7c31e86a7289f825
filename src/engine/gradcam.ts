import type { ModelGraph } from '../language/graph';
import { layerNames } from '../language/summary';
import type { CompiledModel } from './compile';
import { ModelFileError } from './model-file';
import { tf } from './tf';

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
 * function of the layer's output, so the layers after it are applied again to a fresh input;
 * that is exact where the rest of the model is one chain, which is so from the last spatial
 * layer of every sample (its global pooling and dense head).
 */
export function gradCam(graph: ModelGraph, compiled: CompiledModel, image: Float32Array, options: { layer?: string; classIndex?: number } = {}): GradCam {
  const names = layerNames(graph);
  const spatial = graph.nodes.filter((n) => n.outputShape?.length === 3 && n.op !== 'input');
  const node = options.layer === undefined ? spatial.at(-1) : graph.nodes[names.indexOf(options.layer)];
  if (!node) throw new ModelFileError(options.layer === undefined ? `model ${graph.name} has no layer with maps to explain` : `model ${graph.name} has no layer '${options.layer}'`);
  if (node.outputShape?.length !== 3) throw new ModelFileError(`${names[node.id]} gives ${node.outputShape?.join('×') ?? 'no known shape'}, not maps: Grad-CAM needs a layer with an H×W×C output`);
  const tail = graph.nodes.filter((n) => n.id > node.id);
  const mainOutput = graph.outputs[0]!.node;
  let previous = node.id;
  for (const next of tail) {
    if (next.id > mainOutput) break;
    if (next.inputs.length !== 1 || next.inputs[0] !== previous) {
      throw new ModelFileError(`after ${names[node.id]} the model branches or merges (at ${names[next.id]}): choose a later layer, such as ${names[spatial.at(-1)!.id]}`);
    }
    previous = next.id;
  }
  const model = compiled.model;
  const layer = model.getLayer(compiled.layerOfNode.get(node.id)!);
  const inputShape = graph.nodes[0]!.outputShape!;
  return tf.tidy(() => {
    const x = tf.tensor(image, [1, ...inputShape]);
    const maps = (tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor }).predict(x) as tf.Tensor4D);
    // The tail as a function of the maps: the same layers (and weights) applied in order.
    const chain = layerChain(model, layer.name, compiled.layerOfNode.get(mainOutput)!).map((name) => model.getLayer(name));
    const head = (a: tf.Tensor): tf.Tensor => chain.reduce((y, next) => next.apply(y, { training: false }) as tf.Tensor, a);
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

/** The layer names from just after `from` to `to`, following the single inbound link back from `to`. */
function layerChain(model: tf.LayersModel, from: string, to: string): string[] {
  const chain: string[] = [];
  let current = model.getLayer(to);
  while (current.name !== from) {
    chain.unshift(current.name);
    const inbound = current.inboundNodes[0]?.inboundLayers ?? [];
    if (inbound.length !== 1) throw new ModelFileError(`cannot follow the model back from ${to} to ${from}`);
    current = inbound[0]!;
  }
  return chain;
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
