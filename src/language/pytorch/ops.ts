import type { LayerNode, LayerOp, NodeOf } from '../layer-graph';
import type { StateTensor } from './state';
import { dilationOf, kernelOf, type Pads, padTuple, pair, py, strideOf, symmetric, tuple2, windowPads, zeroPads } from './windows';

/** What the exporter knows about one node when it maps it. */
export interface OpContext<Node extends LayerNode = LayerNode> {
  node: Node;
  /** The node's module path, `inception3a.b1`. */
  path: string;
  /** Input shapes, NHWC without the batch. */
  inputs: number[][];
  /** Every input value is ≥ 0 (after a relu): zero padding and -inf padding then agree for max pooling. */
  nonNegativeInput: boolean;
  /** A dense layer fed by a flatten of H×W×C maps through layers that keep the order. */
  flattened?: [number, number, number];
  /** A flatten whose order reaches something other than dense layers: it flattens as ConvLab does. */
  keepConvLabOrder?: boolean;
}

/** One node in PyTorch: its modules, its forward expression and its state_dict tensors. */
export interface OpExport {
  modules: { path: string; ctor: string; comment?: string }[];
  /** The output from the input expressions, before the node's activation. */
  forward: (inputs: string[]) => string;
  tensors: StateTensor[];
  /** Prelude helpers the code needs (see prelude.ts). */
  helpers?: string[];
}

/** The reason an op or option cannot be exported, located at the node by the caller. */
export class Unmappable extends Error {}

type OpMapper<Node extends LayerNode = LayerNode> = (ctx: OpContext<Node>) => OpExport;

const self = (path: string) => `self.${path}`;
const withBias = (node: NodeOf<'conv' | 'dwconv' | 'sepconv' | 'dense'>) => node.attrs.bias !== false;

function param(key: string, shape: number[], ctx: OpContext, rest: Partial<StateTensor> & Pick<StateTensor, 'layout'>): StateTensor {
  return { key: `${ctx.path}.${key}`, shape, node: ctx.node.id, parameter: true, ...rest };
}

/** A convolution's padding: PyTorch's own where it is symmetric, else an F.pad before it. */
function convPadding(ctx: OpContext<NodeOf<'conv' | 'dwconv' | 'sepconv'>>): { padding: string; before: (x: string) => string } {
  const a = ctx.node.attrs;
  const [h, w] = ctx.inputs[0]! as [number, number];
  const { pads } = windowPads(a, [h, w], kernelOf(a), strideOf(a), dilationOf(a));
  if (zeroPads(pads)) return { padding: '', before: (x) => x };
  if (symmetric(pads)) return { padding: `, padding=${tuple2([pads[0], pads[2]])}`, before: (x) => x };
  return { padding: '', before: (x) => `F.pad(${x}, ${padTuple(pads)})` };
}

function conv(ctx: OpContext<NodeOf<'conv'>>): OpExport {
  const a = ctx.node.attrs;
  const inChannels = ctx.inputs[0]![2]!;
  const filters = a.filters;
  const groups = a.groups ?? 1;
  const kernel = kernelOf(a);
  const stride = strideOf(a);
  const dilation = dilationOf(a);
  const { padding, before } = convPadding(ctx);
  const options = [
    `stride=${tuple2(stride)}`, padding.slice(2), dilation[0] !== 1 || dilation[1] !== 1 ? `dilation=${tuple2(dilation)}` : '',
    groups !== 1 ? `groups=${groups}` : '', withBias(ctx.node) ? '' : 'bias=False',
  ].filter((o) => o !== '');
  const tensors = [param('weight', [filters, inChannels / groups, ...kernel], ctx, { layout: 'conv', weight: 'kernel', ...(groups > 1 ? { groups } : {}) })];
  if (withBias(ctx.node)) tensors.push(param('bias', [filters], ctx, { layout: 'vector', weight: 'bias', ...(groups > 1 ? { groups } : {}) }));
  return {
    modules: [{ path: ctx.path, ctor: `nn.Conv2d(${inChannels}, ${filters}, kernel_size=${tuple2(kernel)}, ${options.join(', ')})` }],
    forward: ([x]) => `${self(ctx.path)}(${before(x!)})`,
    tensors,
  };
}

/** Keras' DepthwiseConv2D: a grouped convolution with one group per input channel. */
function dwconv(ctx: OpContext<NodeOf<'dwconv'>>): OpExport {
  const a = ctx.node.attrs;
  const channels = ctx.inputs[0]![2]!;
  const out = channels * (a.multiplier ?? 1);
  const kernel = kernelOf(a);
  const dilation = dilationOf(a);
  const { padding, before } = convPadding(ctx);
  const dilated = dilation[0] !== 1 || dilation[1] !== 1 ? `, dilation=${tuple2(dilation)}` : '';
  const tensors = [param('weight', [out, 1, ...kernel], ctx, { layout: 'depthwise', weight: 'depthwise_kernel' })];
  if (withBias(ctx.node)) tensors.push(param('bias', [out], ctx, { layout: 'vector', weight: 'bias' }));
  return {
    modules: [{ path: ctx.path, ctor: `nn.Conv2d(${channels}, ${out}, kernel_size=${tuple2(kernel)}, stride=${tuple2(strideOf(a))}${padding}${dilated}, groups=${channels}${withBias(ctx.node) ? '' : ', bias=False'})` }],
    forward: ([x]) => `${self(ctx.path)}(${before(x!)})`,
    tensors,
  };
}

/** Keras' SeparableConv2D: a bias-free depthwise step, then a 1×1 pointwise convolution. */
function sepconv(ctx: OpContext<NodeOf<'sepconv'>>): OpExport {
  const a = ctx.node.attrs;
  const channels = ctx.inputs[0]![2]!;
  const depth = channels * (a.multiplier ?? 1);
  const filters = a.filters;
  const kernel = kernelOf(a);
  const dilation = dilationOf(a);
  const { padding, before } = convPadding(ctx);
  const dilated = dilation[0] !== 1 || dilation[1] !== 1;
  const depthwise = `${ctx.path}.depthwise`;
  const pointwise = `${ctx.path}.pointwise`;
  const tensors: StateTensor[] = [
    { key: `${depthwise}.weight`, shape: [depth, 1, ...kernel], node: ctx.node.id, layout: 'depthwise', weight: dilated ? 'kernel' : 'depthwise_kernel', parameter: true, ...(dilated ? { part: 'depthwise' as const } : {}) },
    { key: `${pointwise}.weight`, shape: [filters, depth, 1, 1], node: ctx.node.id, layout: 'conv', weight: dilated ? 'kernel' : 'pointwise_kernel', parameter: true },
  ];
  if (withBias(ctx.node)) tensors.push({ key: `${pointwise}.bias`, shape: [filters], node: ctx.node.id, layout: 'vector', weight: 'bias', parameter: true });
  return {
    modules: [
      { path: ctx.path, ctor: 'nn.Module()', comment: 'separable: depthwise, then pointwise' },
      { path: depthwise, ctor: `nn.Conv2d(${channels}, ${depth}, kernel_size=${tuple2(kernel)}, stride=${tuple2(strideOf(a))}${padding}${dilated ? `, dilation=${tuple2(dilation)}` : ''}, groups=${channels}, bias=False)` },
      { path: pointwise, ctor: `nn.Conv2d(${depth}, ${filters}, kernel_size=(1, 1)${withBias(ctx.node) ? '' : ', bias=False'})` },
    ],
    forward: ([x]) => `${self(pointwise)}(${self(depthwise)}(${before(x!)}))`,
    tensors,
  };
}

/**
 * Pooling as ConvLab computes it. Max pooling: ConvLab pads `pad N` and ceil mode with zeros,
 * PyTorch with -inf, which agree after a relu; `same` ignores the padding in both. Average
 * pooling: `pad N` counts the zeros (PyTorch's default), `same` does not (count_include_pad=False),
 * and ConvLab's ceil mode counts the zeros it adds, where PyTorch clips the last window.
 */
function pooling(ctx: OpContext<NodeOf<'maxpool' | 'avgpool'>>): OpExport {
  const a = ctx.node.attrs;
  const max = ctx.node.op === 'maxpool';
  const [h, w] = ctx.inputs[0]! as [number, number];
  const kernel = kernelOf(a);
  const stride = strideOf(a, 0);
  const { pads, same } = windowPads(a, [h, w], kernel, stride, [1, 1]);
  const [outH, outW] = ctx.node.outputShape ?? [0, 0];
  const padded = [h + pads[0] + pads[1], w + pads[2] + pads[3]];
  // Rows and columns that ceil mode adds at the bottom and right for its last window.
  const extra = [Math.max(0, (outH! - 1) * stride[0] + kernel[0] - padded[0]!), Math.max(0, (outW! - 1) * stride[1] + kernel[1] - padded[1]!)];
  const ceil = extra[0]! > 0 || extra[1]! > 0;
  const fits = pads[0] <= Math.floor(kernel[0] / 2) && pads[2] <= Math.floor(kernel[1] / 2);
  const Pool = max ? 'nn.MaxPool2d' : 'nn.AvgPool2d';
  const head = `${Pool}(kernel_size=${tuple2(kernel)}, stride=${tuple2(stride)}`;
  const module = (options: string, before: (x: string) => string): OpExport => ({
    modules: [{ path: ctx.path, ctor: `${head}${options})` }],
    forward: ([x]) => `${self(ctx.path)}(${before(x!)})`,
    tensors: [],
  });
  const all: Pads = [pads[0], pads[1] + extra[0]!, pads[2], pads[3] + extra[1]!];
  if (same) {
    if (symmetric(pads) && fits && !ceil) return module(zeroPads(pads) ? '' : `, padding=${tuple2([pads[0], pads[2]])}${max ? '' : ', count_include_pad=False'}`, (x) => x);
    if (max) return module('', (x) => `F.pad(${x}, ${padTuple(pads)}, value=float("-inf"))`);
    return { modules: [], forward: ([x]) => `avg_pool_same(${x}, ${tuple2(kernel)}, ${tuple2(stride)}, ${padTuple(pads)})`, tensors: [], helpers: ['avg_pool_same'] };
  }
  if (max && ctx.nonNegativeInput && fits) {
    const options = `${zeroPads(pads) ? '' : `, padding=${tuple2([pads[0], pads[2]])}`}${ceil ? ', ceil_mode=True' : ''}`;
    return module(options, (x) => x);
  }
  if (!ceil && symmetric(pads) && fits && !max) return module(zeroPads(pads) ? '' : `, padding=${tuple2([pads[0], pads[2]])}`, (x) => x);
  if (zeroPads(all)) return module('', (x) => x);
  return module('', (x) => `F.pad(${x}, ${padTuple(all)})`);
}

function batchnorm(ctx: OpContext<NodeOf<'batchnorm'>>): OpExport {
  const a = ctx.node.attrs;
  const shape = ctx.inputs[0]!;
  const channels = shape[shape.length - 1]!;
  const scale = a.scale !== false;
  const center = a.center !== false;
  // Keras' momentum weighs the old statistic, PyTorch's the new one.
  const momentum = 1 - a.momentum;
  const kind = shape.length === 3 ? '2d' : '1d';
  const args = `${channels}, eps=${py(a.eps)}, momentum=${py(Number(momentum.toPrecision(12)))}`;
  const ctor = scale && center ? `nn.BatchNorm${kind}(${args})` : `PartialAffineBatchNorm${kind}(${args}, scale=${scale ? 'True' : 'False'}, center=${center ? 'True' : 'False'})`;
  const tensors: StateTensor[] = [];
  if (scale) tensors.push(param('weight', [channels], ctx, { layout: 'vector', weight: 'gamma' }));
  if (center) tensors.push(param('bias', [channels], ctx, { layout: 'vector', weight: 'beta' }));
  tensors.push(param('running_mean', [channels], ctx, { layout: 'vector', weight: 'moving_mean', parameter: false }));
  tensors.push(param('running_var', [channels], ctx, { layout: 'vector', weight: 'moving_variance', parameter: false }));
  tensors.push(param('num_batches_tracked', [], ctx, { layout: 'counter', parameter: false }));
  return {
    modules: [{ path: ctx.path, ctor }],
    forward: ([x]) => `${self(ctx.path)}(${x})`,
    tensors,
    ...(scale && center ? {} : { helpers: [`PartialAffineBatchNorm${kind}`] }),
  };
}

/**
 * ConvLab sums over the 2⌊(size−1)/2⌋ + 1 nearest channels and divides α by `size` (TensorFlow's
 * window with PyTorch's α); PyTorch divides by its own window, so an even size becomes the odd
 * window ConvLab really sums, with α scaled to keep α / size.
 */
function lrn(ctx: OpContext<NodeOf<'lrn'>>): OpExport {
  const a = ctx.node.attrs;
  const size = a.size;
  const window = 2 * Math.floor((size - 1) / 2) + 1;
  const alpha = a.alpha * (window / size);
  return {
    modules: [{ path: ctx.path, ctor: `nn.LocalResponseNorm(${window}, alpha=${py(alpha)}, beta=${py(a.beta)}, k=${py(a.k)})` }],
    forward: ([x]) => `${self(ctx.path)}(${x})`,
    tensors: [],
  };
}

function dense(ctx: OpContext<NodeOf<'dense'>>): OpExport {
  const a = ctx.node.attrs;
  const inputs = ctx.inputs[0]![0]!;
  const units = a.units;
  const tensors = [param('weight', [units, inputs], ctx, { layout: 'dense', weight: 'kernel', ...(ctx.flattened ? { flattened: ctx.flattened } : {}) })];
  if (withBias(ctx.node)) tensors.push(param('bias', [units], ctx, { layout: 'vector', weight: 'bias' }));
  return {
    modules: [{ path: ctx.path, ctor: `nn.Linear(${inputs}, ${units}${withBias(ctx.node) ? '' : ', bias=False'})` }],
    forward: ([x]) => `${self(ctx.path)}(${x})`,
    tensors,
  };
}

const functional = (expression: (inputs: string[]) => string): OpMapper => () => ({ modules: [], forward: expression, tensors: [] });

/** The exporter's table: one row per op of the language, each given that op's node. */
export const PYTORCH_OPS: { [Op in LayerOp]: OpMapper<NodeOf<Op>> } = {
  conv,
  dwconv,
  sepconv,
  maxpool: pooling,
  avgpool: pooling,
  batchnorm,
  lrn,
  dense,
  input: functional(([x]) => x!),
  dropout: (ctx) => ({ modules: [{ path: ctx.path, ctor: `nn.Dropout(${py(ctx.node.attrs.rate)})` }], forward: ([x]) => `${self(ctx.path)}(${x})`, tensors: [] }),
  flatten: (ctx) => {
    const spatial = ctx.inputs[0]!.length === 3 && ctx.inputs[0]![0]! * ctx.inputs[0]![1]! > 1;
    // ConvLab flattens H×W×C; PyTorch's C×H×W order is kept where only dense layers read it,
    // whose weights are permuted instead (see StateTensor.flattened).
    if (spatial && ctx.keepConvLabOrder) return functional(([x]) => `torch.flatten(${x}.permute(0, 2, 3, 1), 1)`)(ctx);
    return functional(([x]) => `torch.flatten(${x}, 1)`)(ctx);
  },
  globalavgpool: functional(([x]) => `${x}.mean(dim=(2, 3))`),
  globalmaxpool: functional(([x]) => `${x}.amax(dim=(2, 3))`),
  adaptiveavgpool: (ctx) => functional(([x]) => `F.adaptive_avg_pool2d(${x}, ${tuple2(pair(ctx.node.attrs.size, 1))})`)(ctx),
  zeropad: (ctx) => {
    const sides: Pads = ctx.node.attrs.sides ?? ((s: [number, number]): Pads => [s[0], s[0], s[1], s[1]])(pair(ctx.node.attrs.size, 0));
    return functional(([x]) => `F.pad(${x}, ${padTuple(sides)})`)(ctx);
  },
  concat: functional((xs) => `torch.cat([${xs.join(', ')}], dim=1)`),
  // A tower's share of the channels (split); PyTorch's channels are dim 1.
  slice: (ctx) => {
    const { start, size } = ctx.node.attrs;
    return functional(([x]) => `${x}[:, ${start}:${start + size}]`)(ctx);
  },
  add: functional((xs) => xs.join(' + ')),
  relu: functional(([x]) => x!),
  relu6: functional(([x]) => x!),
  leakyrelu: functional(([x]) => x!),
  elu: functional(([x]) => x!),
  gelu: functional(([x]) => x!),
  tanh: functional(([x]) => x!),
  sigmoid: functional(([x]) => x!),
  softmax: functional(([x]) => x!),
  linear: functional(([x]) => x!),
};

/** Activations, applied after the op (a standalone `relu` line is the identity op plus this). */
export function activate(activation: string, x: string, alpha: number | undefined): string {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return `F.relu(${x})`;
    case 'relu6':
      return `F.relu6(${x})`;
    case 'leakyrelu':
      return `F.leaky_relu(${x}, ${py(alpha ?? 0.01)})`;
    case 'elu':
      return `F.elu(${x}, ${py(alpha ?? 1)})`;
    case 'gelu':
      return `F.gelu(${x})`;
    case 'tanh':
      return `torch.tanh(${x})`;
    case 'sigmoid':
      return `torch.sigmoid(${x})`;
    case 'softmax':
      return `torch.softmax(${x}, dim=1)`;
    default:
      throw new Unmappable(`activation '${activation}' has no PyTorch mapping in ConvLab's exporter`);
  }
}
