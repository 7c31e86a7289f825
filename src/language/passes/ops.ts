import type { DiagnosticCode } from '../diagnostic-sink';
import type { Attrs, AttrValue, ParamCount } from '../layer-graph';

/** What a layer makes of its input: shape, parameters and multiply-adds, or the reason it cannot. */
export type LayerOutcome =
  | { ok: true; shape: number[]; params: ParamCount; macs: number; window?: { kernel: [number, number]; stride: [number, number] } }
  /** `recovered`: a shape to carry on with, where the output is clear despite the error. */
  | { ok: false; code: DiagnosticCode; message: string; hint?: string; recovered?: number[] };

const NO_PARAMS: ParamCount = { trainable: 0, nonTrainable: 0 };

const fmt = (dims: readonly number[]) => dims.join('×');
const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const pair = (value: Attrs[string] | undefined, fallback: number): [number, number] =>
  Array.isArray(value) ? [value[0]!, value[1]!] : typeof value === 'number' ? [value, value] : [fallback, fallback];

function fail(code: DiagnosticCode, message: string, hint?: string): LayerOutcome {
  return { ok: false, code, message, hint };
}

function shapeWord(shape: readonly number[]): string {
  return shape.length === 1 ? `a vector of ${shape[0]}` : fmt(shape);
}

function requireSpatial(op: string, shape: readonly number[]): LayerOutcome | undefined {
  if (shape.length === 3) return undefined;
  return fail('needs-spatial-input', `${op} needs an H×W×C input, but gets ${shapeWord(shape)}`,
    `${op} works on feature maps; move it before flatten or global pooling`);
}

/** Spatial output of a sliding window along one axis, or an error message naming the numbers. */
interface WindowAxes {
  input: [number, number];
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  padding: string | [number, number];
  ceil: boolean;
}

function slide(op: string, axes: WindowAxes): { out: [number, number] } | LayerOutcome {
  const { input, kernel, stride, dilation, padding, ceil } = axes;
  const span: [number, number] = [dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1];
  if (padding === 'same') return { out: [Math.ceil(input[0] / stride[0]), Math.ceil(input[1] / stride[1])] };
  const pad = padding === 'valid' ? [0, 0] : (padding as [number, number]);
  const padded: [number, number] = [input[0] + 2 * pad[0]!, input[1] + 2 * pad[1]!];
  if (span[0] > padded[0] || span[1] > padded[1]) {
    const spanNote = span[0] !== kernel[0] || span[1] !== kernel[1] ? ` (${fmt(span)} with dilation)` : '';
    const padNote = pad[0]! > 0 || pad[1]! > 0 ? ` padded ${fmt(padded)}` : '';
    return fail('kernel-too-large', `${op}: kernel ${fmt(kernel)}${spanNote} is larger than its ${fmt(input)}${padNote} input`,
      'use a smaller kernel or pad the input (same, or pad N)');
  }
  const axis = (i: 0 | 1) => {
    const room = padded[i] - span[i];
    let out = (ceil ? Math.ceil(room / stride[i]) : Math.floor(room / stride[i])) + 1;
    // As PyTorch: in ceil mode the last window must start inside the input or its left padding.
    if (ceil && (out - 1) * stride[i] >= input[i] + pad[i]!) out--;
    return out;
  };
  return { out: [axis(0), axis(1)] };
}

function padding(attrs: Attrs): string | [number, number] {
  if (attrs.pad !== undefined) return pair(attrs.pad, 0);
  return (attrs.padding as string | undefined) ?? 'valid';
}

function convolution(op: string, who: string, attrs: Attrs, shape: readonly number[]): LayerOutcome {
  const notSpatial = requireSpatial(who, shape);
  if (notSpatial) return notSpatial;
  const [h, w, inChannels] = shape as [number, number, number];
  const kernel = pair(attrs.kernel, 1);
  const stride = pair(attrs.stride, 1);
  const dilation = pair(attrs.dilation, 1);
  const slid = slide(who, { input: [h, w], kernel, stride, dilation, padding: padding(attrs), ceil: false });
  if (!('out' in slid)) return slid;
  const [oh, ow] = slid.out;
  const bias = attrs.bias !== false;
  const taps = kernel[0] * kernel[1];
  const window = { kernel, stride: stride };
  const effectiveWindow = { kernel: [dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1] as [number, number], stride: window.stride };
  if (op === 'conv') {
    const filters = attrs.filters as number;
    const groups = (attrs.groups as number | undefined) ?? 1;
    if (inChannels % groups !== 0 || filters % groups !== 0) {
      return fail('channel-groups', `${who}: groups ${groups} must divide both the ${inChannels} input channels and the ${filters} filters`,
        'choose a number of groups that divides both');
    }
    const weights = taps * (inChannels / groups) * filters;
    return { ok: true, shape: [oh, ow, filters], params: { trainable: weights + (bias ? filters : 0), nonTrainable: 0 }, macs: oh * ow * weights, window: effectiveWindow };
  }
  const multiplier = (attrs.multiplier as number | undefined) ?? 1;
  const depthChannels = inChannels * multiplier;
  const depthwise = taps * depthChannels;
  if (op === 'dwconv') {
    return { ok: true, shape: [oh, ow, depthChannels], params: { trainable: depthwise + (bias ? depthChannels : 0), nonTrainable: 0 }, macs: oh * ow * depthwise, window: effectiveWindow };
  }
  const filters = attrs.filters as number;
  const pointwise = depthChannels * filters;
  return {
    ok: true, shape: [oh, ow, filters],
    params: { trainable: depthwise + pointwise + (bias ? filters : 0), nonTrainable: 0 },
    macs: oh * ow * (depthwise + pointwise), window: effectiveWindow,
  };
}

function pooling(op: string, attrs: Attrs, shape: readonly number[]): LayerOutcome {
  const notSpatial = requireSpatial(op, shape);
  if (notSpatial) return notSpatial;
  const kernel = pair(attrs.kernel, 1);
  const stride = attrs.stride === undefined ? kernel : pair(attrs.stride, 1);
  const slid = slide(op, { input: [shape[0]!, shape[1]!], kernel, stride, dilation: [1, 1], padding: padding(attrs), ceil: attrs.ceil === true });
  if (!('out' in slid)) return slid;
  return { ok: true, shape: [slid.out[0], slid.out[1], shape[2]!], params: NO_PARAMS, macs: 0, window: { kernel, stride } };
}

/** Infers one layer's output from its bound attributes and input shape. */
export function inferLayer(op: string, attrs: Attrs, shape: readonly number[], who: string = op): LayerOutcome {
  switch (op) {
    case 'conv':
    case 'dwconv':
    case 'sepconv':
      return convolution(op, who, attrs, shape);
    case 'maxpool':
    case 'avgpool':
      return pooling(who, attrs, shape);
    case 'adaptiveavgpool': {
      const notSpatial = requireSpatial(who, shape);
      if (notSpatial) return notSpatial;
      const [oh, ow] = pair(attrs.size, 1);
      const [ih, iw] = [shape[0]!, shape[1]!];
      // Shrinking, each cell's window is at most ⌈in/out⌉ wide, ⌊in/out⌋ apart; growing copies cells.
      const window = ih >= oh && iw >= ow ? { kernel: [Math.ceil(ih / oh), Math.ceil(iw / ow)] as [number, number], stride: [Math.floor(ih / oh), Math.floor(iw / ow)] as [number, number] } : undefined;
      return { ok: true, shape: [oh, ow, shape[2]!], params: NO_PARAMS, macs: 0, ...(window ? { window } : {}) };
    }
    case 'globalavgpool':
    case 'globalmaxpool': {
      const notSpatial = requireSpatial(who, shape);
      return notSpatial ?? { ok: true, shape: [shape[2]!], params: NO_PARAMS, macs: 0 };
    }
    case 'zeropad': {
      const notSpatial = requireSpatial(who, shape);
      if (notSpatial) return notSpatial;
      // `sides` (top, bottom, left, right) comes from Keras models' uneven padding; `size` is even.
      const [top, bottom, left, right] = zeroPadSides(attrs);
      return { ok: true, shape: [shape[0]! + top + bottom, shape[1]! + left + right, shape[2]!], params: NO_PARAMS, macs: 0 };
    }
    case 'batchnorm': {
      const channels = shape[shape.length - 1]!;
      const learned = (attrs.scale === false ? 0 : 1) + (attrs.center === false ? 0 : 1);
      return { ok: true, shape: [...shape], params: { trainable: learned * channels, nonTrainable: 2 * channels }, macs: 0 };
    }
    case 'lrn': {
      const notSpatial = requireSpatial(who, shape);
      return notSpatial ?? { ok: true, shape: [...shape], params: NO_PARAMS, macs: 0 };
    }
    case 'flatten':
      return { ok: true, shape: [product(shape)], params: NO_PARAMS, macs: 0 };
    case 'dense': {
      const units = attrs.units as number;
      if (shape.length !== 1) {
        return {
          ok: false, code: 'needs-flat-input', message: `${who} needs a vector, but gets ${fmt(shape)} maps`,
          hint: `add 'flatten' (${product(shape)} values) or 'globalavgpool' (${shape[shape.length - 1]} values) before it`, recovered: [units],
        };
      }
      const weights = shape[0]! * units;
      return { ok: true, shape: [units], params: { trainable: weights + (attrs.bias !== false ? units : 0), nonTrainable: 0 }, macs: weights };
    }
    default:
      // dropout and the activation layers keep their input's shape.
      return { ok: true, shape: [...shape], params: NO_PARAMS, macs: 0 };
  }
}

export function zeroPadSides(attrs: { size?: AttrValue; sides?: AttrValue }): [number, number, number, number] {
  if (Array.isArray(attrs.sides)) return attrs.sides as [number, number, number, number];
  const [h, w] = pair(attrs.size, 0);
  return [h, h, w, w];
}

export function formatShape(shape: readonly number[] | null): string {
  return shape === null ? '?' : fmt(shape);
}
