import type { LayerNode, ModelGraph, NodeOf } from '../../language/layer-graph';
import type { Initialised, SlopeAttrs, WindowAttrs } from '../../language/layer-attrs';
import { zeroPadSides } from '../../language/passes/ops';
import { isBaseNode } from '../../language/passes/pretrained';
import { layerNames, legacyLayerNames } from '../../language/passes/summarize';
import { AdaptiveAveragePooling } from './adaptive-pool';
import { DilatedConvolution } from './dilated';
import { ChannelSlice, InferenceBatchNorm, LocalResponseNorm } from './custom-layers';
import { TrainingBatchNorm } from './training-batchnorm';
import { tf } from '../backends/tf';

/** How the trainer reads an output: logits (softmax folded into the loss) or probabilities. */
export type OutputKind = 'logits' | 'probabilities';

export interface CompiledModel {
  model: tf.LayersModel;
  /** One per model output, main first. */
  outputKinds: OutputKind[];
  /** Loss weight of each output: 1 for the main one, the aux weights after it. */
  lossWeights: number[];
  /** The TensorFlow.js layer whose output is each node's output (after its fused activation). */
  layerOfNode: Map<number, string>;
  /** Layer names that older checkpoints use for nodes named otherwise now (see legacyLayerNames). */
  renamed: Map<string, string>;
}

export interface CompileOptions {
  /** Seeds every initializer, so the same seed gives the same starting weights. */
  seed?: number;
}

type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'gelu' | 'tanh' | 'sigmoid' | 'softmax' | 'leakyrelu';

/** TensorFlow.js names may not contain the `/` of our qualified block names. */
export function tfLayerName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '.');
}

/**
 * Turns an analysed model into a tf.LayersModel with the functional API, layer for layer, with
 * Keras' default initializers. A softmax at an output is left out of the model and folded into
 * the loss (numerically stable cross-entropy on logits); the trainer applies it for predictions.
 */
export function compileModel(graph: ModelGraph, options: CompileOptions = {}): CompiledModel {
  if (graph.outputs.length === 0 || graph.nodes.length === 0) throw new Error(`model ${graph.name} has no layers to compile`);
  const names = layerNames(graph).map(tfLayerName);
  const builder = new GraphBuilder(graph, names, options.seed);
  const outputKinds: OutputKind[] = [];
  const outputs = graph.outputs.map((output) => {
    const { tensor, kind } = builder.output(output.node);
    outputKinds.push(kind);
    return tensor;
  });
  const model = tf.model({ inputs: builder.input, outputs, name: tfLayerName(graph.name) });
  applyTrainability(graph, model);
  const legacy = legacyLayerNames(graph).map(tfLayerName);
  const renamed = new Map(legacy.flatMap((old, i) => (old === names[i] ? [] : [[old, names[i]!] as const])));
  return { model, outputKinds, lossWeights: graph.outputs.map((o) => o.lossWeight), layerOfNode: builder.layerOfNode, renamed };
}

/**
 * Freezes the layers of the nodes a graph marks frozen (a pretrained base) and thaws the
 * others: what changes between the stages of transfer learning.
 */
export function applyTrainability(graph: ModelGraph, model: tf.LayersModel): void {
  const names = layerNames(graph).map(tfLayerName);
  const frozen = new Set(graph.nodes.filter((n) => n.attrs.frozen === true).map((n) => names[n.id]!));
  for (const layer of model.layers) {
    const owner = frozen.has(layer.name) || [...layer.name.matchAll(/\./g)].some((m) => frozen.has(layer.name.slice(0, m.index)));
    layer.trainable = !owner;
  }
}

class GraphBuilder {
  readonly input: tf.SymbolicTensor;
  readonly layerOfNode = new Map<number, string>();
  private readonly tensors = new Map<number, tf.SymbolicTensor>();
  private readonly outputNodes: Set<number>;
  private seedCounter = 0;

  constructor(private readonly graph: ModelGraph, private readonly names: string[], private readonly seed: number | undefined) {
    const first = graph.nodes[0]!;
    if (first.op !== 'input') throw new Error(`model ${graph.name} does not start with an input`);
    this.input = tf.input({ shape: first.attrs.shape, name: names[0] });
    this.tensors.set(0, this.input);
    this.layerOfNode.set(0, names[0]!);
    this.outputNodes = new Set(graph.outputs.map((o) => o.node));
  }

  output(id: number): { tensor: tf.SymbolicTensor; kind: OutputKind } {
    const node = this.graph.nodes[id]!;
    const activation = activationOf(node);
    const kind: OutputKind = activation === 'softmax' || activation === 'linear' ? 'logits' : 'probabilities';
    return { tensor: this.tensor(id), kind };
  }

  private tensor(id: number): tf.SymbolicTensor {
    const done = this.tensors.get(id);
    if (done) return done;
    // Iterative in node order: nodes only read earlier nodes, so this never recurses deeply.
    for (const node of this.graph.nodes) {
      if (node.id > id) break;
      if (this.tensors.has(node.id)) continue;
      const tensor = this.build(node);
      this.tensors.set(node.id, tensor);
      // The layer whose output is the node's: the activation layer after a conv with `relu`.
      this.layerOfNode.set(node.id, tensor.sourceLayer.name);
    }
    return this.tensors.get(id)!;
  }

  private build(node: LayerNode): tf.SymbolicTensor {
    const inputs = node.inputs.map((i) => this.tensors.get(i)!);
    const name = this.names[node.id]!;
    const x = inputs[0]!;
    // The softmax of an output is applied outside the model (see compileModel).
    const activation = this.outputNodes.has(node.id) && activationOf(node) === 'softmax' ? 'linear' : activationOf(node);
    switch (node.op) {
      case 'conv':
        return this.activate(this.convolution(node, x, name), activation, name);
      case 'dwconv': {
        const padded = this.explicitPadding(x, node.attrs, name);
        if (isDilated(node.attrs)) {
          const layer = new DilatedConvolution({ name, kind: 'depthwise', multiplier: node.attrs.multiplier, ...this.dilatedSettings(node.attrs) });
          return this.activate(layer.apply(padded) as tf.SymbolicTensor, activation, name);
        }
        const layer = tf.layers.depthwiseConv2d({
          name, kernelSize: size(node.attrs.kernel), depthMultiplier: node.attrs.multiplier, strides: size(node.attrs.stride), padding: padMode(node.attrs), dilationRate: size(node.attrs.dilation),
          useBias: node.attrs.bias !== false, depthwiseInitializer: this.glorot(),
        });
        return this.activate(layer.apply(padded) as tf.SymbolicTensor, activation, name);
      }
      case 'sepconv': {
        const padded = this.explicitPadding(x, node.attrs, name);
        if (isDilated(node.attrs)) {
          // Keras' SeparableConv2D is a bias-free depthwise step and a 1×1 pointwise one.
          const depthwise = new DilatedConvolution({ name: `${name}.depthwise`, kind: 'depthwise', multiplier: node.attrs.multiplier, ...this.dilatedSettings(node.attrs), useBias: false });
          const pointwise = tf.layers.conv2d({ name, filters: node.attrs.filters, kernelSize: 1, useBias: node.attrs.bias !== false, kernelInitializer: this.glorot() });
          return this.activate(pointwise.apply(depthwise.apply(padded)) as tf.SymbolicTensor, activation, name);
        }
        const layer = tf.layers.separableConv2d({
          name, filters: node.attrs.filters, kernelSize: size(node.attrs.kernel), depthMultiplier: node.attrs.multiplier, strides: size(node.attrs.stride), padding: padMode(node.attrs),
          dilationRate: size(node.attrs.dilation), useBias: node.attrs.bias !== false, depthwiseInitializer: this.glorot(), pointwiseInitializer: this.glorot(),
        });
        return this.activate(layer.apply(padded) as tf.SymbolicTensor, activation, name);
      }
      case 'maxpool':
      case 'avgpool':
        return this.pooling(node, x, name);
      case 'globalavgpool':
        return tf.layers.globalAveragePooling2d({ name }).apply(x) as tf.SymbolicTensor;
      case 'adaptiveavgpool':
        return new AdaptiveAveragePooling({ name, size: size(node.attrs.size) }).apply(x) as tf.SymbolicTensor;
      case 'globalmaxpool':
        return tf.layers.globalMaxPooling2d({ name }).apply(x) as tf.SymbolicTensor;
      case 'zeropad': {
        const [top, bottom, left, right] = zeroPadSides(node.attrs);
        return tf.layers.zeroPadding2d({ name, padding: [[top, bottom], [left, right]] }).apply(x) as tf.SymbolicTensor;
      }
      case 'batchnorm': {
        const config = { name, axis: -1, epsilon: node.attrs.eps, momentum: node.attrs.momentum, scale: node.attrs.scale !== false, center: node.attrs.center !== false };
        // A pretrained base's batchnorm keeps its statistics: inference mode, as Keras runs a frozen one.
        const layer = isBaseNode(node) ? new InferenceBatchNorm(config) : new TrainingBatchNorm(config);
        return this.activate(layer.apply(x) as tf.SymbolicTensor, activation, name);
      }
      case 'lrn':
        return new LocalResponseNorm({ name, size: node.attrs.size, alpha: node.attrs.alpha, beta: node.attrs.beta, k: node.attrs.k }).apply(x) as tf.SymbolicTensor;
      case 'dropout':
        return tf.layers.dropout({ name, rate: node.attrs.rate, seed: this.nextSeed() }).apply(x) as tf.SymbolicTensor;
      case 'flatten':
        return tf.layers.flatten({ name }).apply(x) as tf.SymbolicTensor;
      case 'dense': {
        const layer = tf.layers.dense({ name, units: node.attrs.units, useBias: node.attrs.bias !== false, kernelInitializer: this.initialiser(node.attrs) });
        return this.activate(layer.apply(x) as tf.SymbolicTensor, activation, name);
      }
      case 'concat':
        return tf.layers.concatenate({ name, axis: -1 }).apply(inputs) as tf.SymbolicTensor;
      case 'slice':
        // A tower of `split`: its share of the channels.
        return new ChannelSlice({ name, start: node.attrs.start, size: node.attrs.size }).apply(x) as tf.SymbolicTensor;
      case 'add':
        return tf.layers.add({ name }).apply(inputs) as tf.SymbolicTensor;
      case 'input':
        throw new Error(`model ${this.graph.name}: a second input at ${name}`);
      default:
        // relu, tanh, … as layers of their own.
        return this.standalone(node.op, node.attrs, x, name, activation);
    }
  }

  private convolution(node: NodeOf<'conv'>, input: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    const a = node.attrs;
    const x = this.explicitPadding(input, a, name);
    const groups = a.groups ?? 1;
    const options = (layerName: string, filters: number) => ({
      name: layerName, filters, kernelSize: size(a.kernel), strides: size(a.stride), padding: padMode(a), dilationRate: size(a.dilation),
      useBias: a.bias !== false, kernelInitializer: this.initialiser(a),
    });
    const convolve = (layerName: string, filters: number, input: tf.SymbolicTensor) =>
      (isDilated(a) ? new DilatedConvolution({ name: layerName, kind: 'conv', filters, ...this.dilatedSettings(a), ...(a.init === 'normal' ? { std: a.std } : {}) }) : tf.layers.conv2d(options(layerName, filters))).apply(input) as tf.SymbolicTensor;
    if (groups === 1) return convolve(name, a.filters, x);
    // Grouped convolution (AlexNet's two GPUs): one convolution per slice of channels, joined.
    const channels = (x.shape[3] as number) / groups;
    const parts = Array.from({ length: groups }, (_, g) => {
      const slice = new ChannelSlice({ name: `${name}.in${g}`, start: g * channels, size: channels }).apply(x) as tf.SymbolicTensor;
      return convolve(`${name}.g${g}`, a.filters / groups, slice);
    });
    return tf.layers.concatenate({ name, axis: -1 }).apply(parts) as tf.SymbolicTensor;
  }

  private pooling(node: NodeOf<'maxpool' | 'avgpool'>, input: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    const a = node.attrs;
    const kernel = size(a.kernel);
    const stride = a.stride === undefined ? kernel : size(a.stride);
    let x = this.explicitPadding(input, a, name);
    const [outH, outW] = node.outputShape ?? [0, 0];
    if (a.ceil === true && padMode(a) === 'valid') {
      // Ceil mode: pad the bottom and right just enough for the last window the analyzer counted.
      const extra = [0, 1].map((i) => Math.max(0, ((i === 0 ? outH : outW)! - 1) * stride[i]! + kernel[i]! - (x.shape[i + 1] as number)));
      if (extra[0]! > 0 || extra[1]! > 0) x = tf.layers.zeroPadding2d({ name: `${name}.ceil`, padding: [[0, extra[0]!], [0, extra[1]!]] }).apply(x) as tf.SymbolicTensor;
    }
    const config = { name, poolSize: kernel, strides: stride, padding: padMode(a) };
    const layer = node.op === 'maxpool' ? tf.layers.maxPooling2d(config) : tf.layers.averagePooling2d(config);
    return layer.apply(x) as tf.SymbolicTensor;
  }

  /** PyTorch-style `pad N` becomes zero padding before a valid window. */
  private explicitPadding(x: tf.SymbolicTensor, a: { pad?: number[] }, name: string): tf.SymbolicTensor {
    if (a.pad === undefined) return x;
    const [h, w] = size(a.pad);
    if (h === 0 && w === 0) return x;
    return tf.layers.zeroPadding2d({ name: `${name}.pad`, padding: [h, w] }).apply(x) as tf.SymbolicTensor;
  }

  private activate(x: tf.SymbolicTensor, activation: Activation, name: string): tf.SymbolicTensor {
    if (activation === 'linear') return x;
    return this.standalone(activation, {}, x, `${name}.${activation}`, activation);
  }

  private standalone(op: string, a: SlopeAttrs, x: tf.SymbolicTensor, name: string, activation: Activation): tf.SymbolicTensor {
    switch (op) {
      case 'leakyrelu':
        return tf.layers.leakyReLU({ name, alpha: a.alpha ?? 0.01 }).apply(x) as tf.SymbolicTensor;
      case 'elu':
        return tf.layers.elu({ name, alpha: a.alpha ?? 1 }).apply(x) as tf.SymbolicTensor;
      case 'linear':
        return tf.layers.activation({ name, activation: 'linear' }).apply(x) as tf.SymbolicTensor;
      default:
        return tf.layers.activation({ name, activation: activation === 'linear' ? 'linear' : (op as 'relu') }).apply(x) as tf.SymbolicTensor;
    }
  }

  private dilatedSettings(a: WindowAttrs & { bias?: boolean }) {
    return { kernel: size(a.kernel), dilation: size(a.dilation), strides: size(a.stride), padding: padMode(a), useBias: a.bias !== false, seed: this.nextSeed() };
  }

  private glorot() {
    return tf.initializers.glorotUniform({ seed: this.nextSeed() });
  }

  /** `init normal std S` draws the weights from N(0, S²), as torchvision's GoogLeNet does. */
  private initialiser(a: Initialised) {
    return a.init === 'normal' ? tf.initializers.randomNormal({ mean: 0, stddev: a.std!, seed: this.nextSeed() }) : this.glorot();
  }

  private nextSeed(): number | undefined {
    return this.seed === undefined ? undefined : this.seed * 1000 + ++this.seedCounter;
  }
}

function activationOf(node: LayerNode): Activation {
  const STANDALONE = ['relu', 'relu6', 'leakyrelu', 'elu', 'gelu', 'tanh', 'sigmoid', 'softmax', 'linear'];
  if (STANDALONE.includes(node.op)) return node.op as Activation;
  return (node.attrs.activation ?? 'linear') as Activation;
}

function size(value: number | number[] | undefined): [number, number] {
  if (Array.isArray(value)) return [value[0]!, value[1]!];
  if (typeof value === 'number') return [value, value];
  return [1, 1];
}

/** TensorFlow.js cannot train dilated convolutions itself (see dilated.ts). */
function isDilated(a: { dilation?: number[] }): boolean {
  const [dh, dw] = size(a.dilation);
  return dh > 1 || dw > 1;
}

function padMode(a: { padding?: string; pad?: number[] }): 'same' | 'valid' {
  return a.padding === 'same' && a.pad === undefined ? 'same' : 'valid';
}
