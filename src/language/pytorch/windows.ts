import type { WindowAttrs } from '../layer-attrs';
import type { AttrValue } from '../layer-graph';

/** [top, bottom, left, right] zeros (or -inf) around a window op's input. */
export type Pads = [number, number, number, number];

export const pair = (value: AttrValue | undefined, fallback: number): [number, number] =>
  Array.isArray(value) ? [value[0]!, value[1]!] : typeof value === 'number' ? [value, value] : [fallback, fallback];

export const kernelOf = (a: WindowAttrs) => pair(a.kernel, 1);
export const strideOf = (a: WindowAttrs, fallback = 1) => (a.stride === undefined ? (fallback === 0 ? kernelOf(a) : [fallback, fallback] as [number, number]) : pair(a.stride, 1));
export const dilationOf = (a: WindowAttrs) => pair(a.dilation, 1);

/** `same` as TensorFlow pads it: the odd row or column goes to the bottom and right. */
export function samePads(input: [number, number], kernel: [number, number], stride: [number, number], dilation: [number, number]): Pads {
  const axis = (i: 0 | 1): [number, number] => {
    const span = dilation[i] * (kernel[i] - 1) + 1;
    const out = Math.ceil(input[i] / stride[i]);
    const total = Math.max((out - 1) * stride[i] + span - input[i], 0);
    const before = Math.floor(total / 2);
    return [before, total - before];
  };
  const [t, b] = axis(0);
  const [l, r] = axis(1);
  return [t, b, l, r];
}

/** The window's padding as ConvLab computes it: `same`, `pad N` or none. */
export function windowPads(a: WindowAttrs, input: [number, number], kernel: [number, number], stride: [number, number], dilation: [number, number]): { pads: Pads; same: boolean } {
  if (a.pad !== undefined) {
    const [h, w] = pair(a.pad, 0);
    return { pads: [h, h, w, w], same: false };
  }
  if (a.padding === 'same') return { pads: samePads(input, kernel, stride, dilation), same: true };
  return { pads: [0, 0, 0, 0], same: false };
}

export const symmetric = ([t, b, l, r]: Pads) => t === b && l === r;
export const zeroPads = ([t, b, l, r]: Pads) => t === 0 && b === 0 && l === 0 && r === 0;

/** F.pad's order: (left, right, top, bottom). */
export const padTuple = ([t, b, l, r]: Pads) => `(${l}, ${r}, ${t}, ${b})`;

/** A Python (h, w) tuple. */
export const tuple2 = ([h, w]: [number, number]) => `(${h}, ${w})`;

/** A number as Python writes it. */
export function py(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(value);
}
