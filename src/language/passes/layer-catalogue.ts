/**
 * The layer catalogue: every operation the language knows, its parameters with defaults and
 * docs, and a two-sentence explanation. The binder, hover, completion and docs/language.md all
 * read it, so a layer is described in exactly one place.
 */

export type ValueType =
  | 'count'     // a positive integer: filters, units
  | 'size'      // one integer or HxW: kernel, stride, dilation
  | 'shape'     // HxWxC or N: the input
  | 'rate'      // a number in [0, 1)
  | 'number'    // any finite number
  | 'word'      // a name or a string: a dataset, an optimizer
  | 'perchannel' // one number for all channels, or one each written A x B x C: a mean, a std
  | 'selection'; // layers of a pretrained base: all, a count, or a layer's name

export interface ParameterSpec {
  name: string;
  type: ValueType;
  doc: string;
  /** Written in source without its name, in this order. */
  positional?: boolean;
  required?: boolean;
  default?: number | number[];
  /** For words: the allowed ones. */
  choices?: string[];
}

/** A bare word that sets attributes: `same`, `nobias`, `relu`. */
export interface FlagSpec {
  name: string;
  doc: string;
  sets: Record<string, string | boolean>;
}

export type LayerCategory = 'input' | 'convolution' | 'pooling' | 'normalization' | 'regularization' | 'reshaping' | 'dense' | 'activation' | 'pretrained';

/** What the binder needs to read a line: a layer's or a train setting's words. */
export interface WordsSpec {
  op: string;
  params: ParameterSpec[];
  flags: FlagSpec[];
  takesActivation?: boolean;
  defaults?: Record<string, string | boolean>;
}

export interface LayerSpec extends WordsSpec {
  category: LayerCategory;
  title: string;
  /** What the layer does, in two sentences. */
  doc: string;
}

export const ACTIVATIONS: Record<string, string> = {
  relu: 'max(0, x): cheap, and its gradient does not vanish for positive inputs.',
  relu6: 'min(max(0, x), 6): a relu capped at 6, which keeps activations small for low-precision inference (MobileNet).',
  leakyrelu: 'x for x > 0, αx otherwise (α = 0.01 here unless set): keeps a small gradient for negative inputs.',
  elu: 'x for x > 0, α(eˣ − 1) otherwise: smooth, with negative outputs that pull the mean towards zero.',
  gelu: 'x·Φ(x), the Gaussian error linear unit used in transformers: a smooth relu.',
  tanh: 'the hyperbolic tangent, squashing to (−1, 1): the classic LeNet activation.',
  sigmoid: '1 / (1 + e⁻ˣ), squashing to (0, 1).',
  softmax: 'exponentiates and normalises along the last axis so the outputs are class probabilities.',
  linear: 'the identity: no activation.',
};

const padding: FlagSpec[] = [
  { name: 'same', doc: 'pad so that the output is ⌈input / stride⌉ (TensorFlow "same").', sets: { padding: 'same' } },
  { name: 'valid', doc: 'no padding: the kernel stays inside the input (the default).', sets: { padding: 'valid' } },
];
const padParam: ParameterSpec = { name: 'pad', type: 'size', doc: 'explicit zero padding on each side, N or H×W (PyTorch "padding").' };
const strideParam = (doc: string, fallback?: number): ParameterSpec => ({ name: 'stride', type: 'size', doc, ...(fallback === undefined ? {} : { default: fallback }) });
const dilationParam: ParameterSpec = { name: 'dilation', type: 'size', default: 1, doc: 'spacing between kernel taps; widens the receptive field at no cost in parameters.' };
const biasFlags: FlagSpec[] = [
  { name: 'nobias', doc: 'no bias term (usual before batchnorm, which has its own shift).', sets: { bias: false } },
  { name: 'bias', doc: 'add a bias term (the default).', sets: { bias: true } },
];
/** How a layer's weights start; the bias starts at zero either way. */
const initParams: ParameterSpec[] = [
  { name: 'init', type: 'word', choices: ['glorot', 'normal'], doc: 'how the weights start: glorot (the default: Glorot uniform, as Keras) or normal (a normal distribution around 0 with spread `std`, as torchvision\'s GoogLeNet and Inception init with std 0.01).' },
  { name: 'std', type: 'number', doc: 'standard deviation of init normal (above 0).' },
];
const ceilFlag: FlagSpec = { name: 'ceil', doc: 'round the output size up, as PyTorch\'s ceil_mode=True.', sets: { ceil: true } };

function pool(op: string, title: string, doc: string): LayerSpec {
  return {
    op, category: 'pooling', title, doc,
    params: [
      { name: 'kernel', type: 'size', positional: true, required: true, doc: 'window size, N or H×W.' },
      strideParam('step between windows; defaults to the window size.'),
      padParam,
    ],
    flags: [...padding, ceilFlag],
    defaults: { padding: 'valid', ceil: false },
  };
}

const ACTIVATION_TITLES: Record<string, string> = { relu: 'ReLU', relu6: 'ReLU', leakyrelu: 'LeakyReLU', elu: 'ELU' };

function activationLayer(op: string, params: ParameterSpec[] = []): LayerSpec {
  return { op, category: 'activation', title: ACTIVATION_TITLES[op] ?? 'Activation', doc: `Applies ${ACTIVATIONS[op]} Shapes are unchanged and there are no parameters.`, params, flags: [] };
}

/** A new op here also needs its attributes' type in AttrsByOp (../layer-attrs.ts). */
export const LAYERS: LayerSpec[] = [
  {
    op: 'input', category: 'input', title: 'Input',
    doc: 'Declares the shape of one example, height×width×channels (NHWC without the batch) or a vector length. Every model starts with it.',
    params: [{ name: 'shape', type: 'shape', positional: true, required: true, doc: 'H×W×C, such as 28x28x1, or N for a vector.' }],
    flags: [],
  },
  {
    op: 'conv', category: 'convolution', title: 'Conv2D',
    doc: 'Slides learned filters over the input; each filter sees a small window of all input channels, so weights are shared across positions. This is what makes a CNN far smaller than a dense network on images.',
    params: [
      { name: 'filters', type: 'count', positional: true, required: true, doc: 'number of output channels (filters).' },
      { name: 'kernel', type: 'size', positional: true, required: true, doc: 'filter size, N or H×W.' },
      strideParam('step of the filter; 2 halves the output.', 1),
      padParam,
      dilationParam,
      { name: 'groups', type: 'count', default: 1, doc: 'split input and output channels into groups that do not see each other (AlexNet\'s two GPUs).' },
      ...initParams,
    ],
    flags: [...padding, ...biasFlags],
    takesActivation: true,
    defaults: { padding: 'valid', bias: true, activation: 'linear', init: 'glorot' },
  },
  {
    op: 'dwconv', category: 'convolution', title: 'DepthwiseConv2D',
    doc: 'Filters each input channel on its own with a K×K kernel, mixing no channels. Paired with a 1×1 conv it is the cheap separable convolution of MobileNet.',
    params: [
      { name: 'kernel', type: 'size', positional: true, required: true, doc: 'filter size, N or H×W.' },
      { name: 'multiplier', type: 'count', default: 1, doc: 'output channels per input channel.' },
      strideParam('step of the filter.', 1),
      padParam,
      dilationParam,
    ],
    flags: [...padding, ...biasFlags],
    takesActivation: true,
    defaults: { padding: 'valid', bias: true, activation: 'linear' },
  },
  {
    op: 'sepconv', category: 'convolution', title: 'SeparableConv2D',
    doc: 'A depthwise convolution followed by a 1×1 pointwise convolution that mixes channels. It approximates a full convolution with a fraction of its parameters and multiply-adds (Xception, MobileNet).',
    params: [
      { name: 'filters', type: 'count', positional: true, required: true, doc: 'number of output channels.' },
      { name: 'kernel', type: 'size', positional: true, required: true, doc: 'depthwise filter size, N or H×W.' },
      { name: 'multiplier', type: 'count', default: 1, doc: 'depthwise output channels per input channel.' },
      strideParam('step of the depthwise filter.', 1),
      padParam,
      dilationParam,
    ],
    flags: [...padding, ...biasFlags],
    takesActivation: true,
    defaults: { padding: 'valid', bias: true, activation: 'linear' },
  },
  pool('maxpool', 'MaxPooling2D', 'Keeps the largest value in each window, so a feature counts wherever it appears inside it. It shrinks the maps and adds a little translation invariance, with no parameters.'),
  pool('avgpool', 'AveragePooling2D', 'Averages each window, smoothing and shrinking the maps. LeNet-5 used it for subsampling; it has no parameters.'),
  {
    op: 'globalavgpool', category: 'pooling', title: 'GlobalAveragePooling2D',
    doc: 'Averages each channel over all positions, giving one number per channel. It replaces a large flatten-and-dense head (GoogLeNet, ResNet) with no parameters.',
    params: [], flags: [],
  },
  {
    op: 'adaptiveavgpool', category: 'pooling', title: 'AdaptiveAvgPool2d',
    doc: 'Averages the maps down (or up) to a fixed H×W whatever their size, as PyTorch\'s AdaptiveAvgPool2d: output cell i covers input rows ⌊i·in/out⌋ to ⌈(i+1)·in/out⌉. torchvision\'s GoogLeNet auxiliary heads pool to 4×4 this way, so they work on 32×32 images as on 224×224 ones. No parameters.',
    params: [{ name: 'size', type: 'size', positional: true, required: true, doc: 'output height × width, N or H×W.' }],
    flags: [],
  },
  {
    op: 'globalmaxpool', category: 'pooling', title: 'GlobalMaxPooling2D',
    doc: 'Keeps each channel\'s largest value over all positions. Like global average pooling it turns maps into a vector without parameters.',
    params: [], flags: [],
  },
  {
    op: 'zeropad', category: 'reshaping', title: 'ZeroPadding2D',
    doc: 'Adds rows and columns of zeros around the maps. Keras models use it before a valid convolution to match PyTorch\'s explicit padding.',
    params: [{ name: 'size', type: 'size', positional: true, required: true, doc: 'zeros on each side, N or H×W.' }],
    flags: [],
  },
  {
    op: 'batchnorm', category: 'normalization', title: 'BatchNormalization',
    doc: 'Normalises each channel with the batch mean and variance while training (moving averages at inference), then scales and shifts by learned γ and β. It lets deep networks train with higher learning rates; γ and β are trainable, the two moving statistics are not.',
    params: [
      { name: 'eps', type: 'number', default: 0.001, doc: 'added to the variance for stability (Keras 0.001, PyTorch 1e-5).' },
      { name: 'momentum', type: 'rate', default: 0.99, doc: 'moving-average momentum (Keras convention: weight of the old value).' },
    ],
    flags: [
      { name: 'noscale', doc: 'no learned scale γ (Keras scale=False, as in InceptionV3).', sets: { scale: false } },
      { name: 'nocenter', doc: 'no learned shift β (Keras center=False).', sets: { center: false } },
    ],
    takesActivation: true,
    defaults: { activation: 'linear' },
  },
  {
    op: 'lrn', category: 'normalization', title: 'LocalResponseNormalization',
    doc: 'Divides each activation by a power of the sum of squares of its neighbours across channels, a form of lateral inhibition. The original AlexNet used it; batchnorm has since replaced it.',
    params: [
      { name: 'size', type: 'count', default: 5, doc: 'number of neighbouring channels summed (AlexNet: 5).' },
      { name: 'alpha', type: 'number', default: 0.0001, doc: 'scale of the sum (AlexNet: 1e-4).' },
      { name: 'beta', type: 'number', default: 0.75, doc: 'exponent (AlexNet: 0.75).' },
      { name: 'k', type: 'number', default: 2, doc: 'additive constant (AlexNet: 2).' },
    ],
    flags: [],
  },
  {
    op: 'dropout', category: 'regularization', title: 'Dropout',
    doc: 'While training, zeroes each activation with the given probability and scales the rest up. It keeps units from co-adapting and so reduces overfitting; at inference it does nothing.',
    params: [{ name: 'rate', type: 'rate', positional: true, default: 0.5, doc: 'probability of dropping a unit.' }],
    flags: [],
  },
  {
    op: 'flatten', category: 'reshaping', title: 'Flatten',
    doc: 'Unrolls H×W×C maps into one vector so dense layers can follow. It has no parameters.',
    params: [], flags: [],
  },
  {
    op: 'dense', category: 'dense', title: 'Dense',
    doc: 'Connects every input to every output with its own weight (a fully connected layer). On images it is what a CNN avoids: its weights grow with the input size.',
    params: [{ name: 'units', type: 'count', positional: true, required: true, doc: 'number of outputs.' }, ...initParams],
    flags: biasFlags,
    takesActivation: true,
    defaults: { bias: true, activation: 'linear', init: 'glorot' },
  },
  {
    op: 'pretrained', category: 'pretrained', title: 'Pretrained base',
    doc: 'Inserts the layers of a trained network, cut at a named layer, with its weights: a TensorFlow.js layers model (a model.json, as the TensorFlow.js converter writes Keras models), or a model of this file with its weights from a PyTorch state_dict (torchvision\'s ImageNet weights among them). Freezing its layers keeps what it learned while a new head trains on top (transfer learning).',
    params: [
      { name: 'source', type: 'word', positional: true, required: true, doc: 'the model.json: a "path" relative to this file, or an "https://…" URL; or the NAME of a model of this file, whose weights come from `weights`.' },
      { name: 'weights', type: 'word', doc: 'for a model of this file: its PyTorch state_dict, a "path" (.safetensors, .pt or .pth) relative to this file, or "torchvision:NAME" (ImageNet weights converted into ConvLab\'s cache by convlab import-weights --torchvision NAME).' },
      { name: 'until', type: 'word', doc: 'the last layer of the base to keep (its name in model.json, or in the model: a layer, or a call\'s label for its last layer); the layers after it are cut. Default: all.' },
      { name: 'freeze', type: 'selection', doc: 'layers whose weights do not train: all, the first N (as Keras\' base.layers[:N]), or up to and including a named layer. Default: none.' },
    ],
    flags: [{ name: 'scratch', doc: 'the base\'s layers with fresh weights (Keras weights=None): the same network trained from scratch, for comparison.', sets: { scratch: true } }],
  },
  activationLayer('relu'),
  activationLayer('relu6'),
  activationLayer('leakyrelu', [{ name: 'alpha', type: 'number', positional: true, default: 0.01, doc: 'slope for negative inputs.' }]),
  activationLayer('elu', [{ name: 'alpha', type: 'number', positional: true, default: 1, doc: 'scale of the negative part.' }]),
  activationLayer('gelu'),
  activationLayer('tanh'),
  activationLayer('sigmoid'),
  activationLayer('softmax'),
  activationLayer('linear'),
];

export const LAYER_BY_OP: ReadonlyMap<string, LayerSpec> = new Map(LAYERS.map((spec) => [spec.op, spec]));

/** Constructs that are statements of their own rather than layers. */
export const STRUCTURE_KEYWORDS: Record<string, string> = {
  concat: 'Runs each `{ … }` branch on the same input and joins their outputs along the channels (GoogLeNet\'s Inception module).',
  add: 'Runs each `{ … }` branch on the same input and adds their outputs element by element; all must have one shape.',
  split: 'Cuts the input\'s channels into one equal part per `{ … }` branch, runs each branch on its own part and joins the outputs along the channels: towers, as AlexNet\'s two GPUs.',
  residual: 'Adds the block\'s input to its output (ResNet). Where the shapes differ, the shortcut becomes a 1×1 convolution with the needed stride plus batchnorm, unless `shortcut { … }` says otherwise (an information note says where it does; `shortcut { }` is the identity only).',
  repeat: '`repeat N { … }` writes the body N times in a row.',
  if: '`if condition { … } else { … }` includes a part of the model depending on a parameter.',
  aux: '`aux [weight W] { … }` attaches a side classifier that becomes an extra output with loss weight W (GoogLeNet\'s auxiliary heads).',
};
