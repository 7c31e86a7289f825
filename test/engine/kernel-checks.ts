// Our kernels against tfjs's own JS-backend kernels, shared by the wasm and cpu suite
// (kernels.test.ts) and the WebGPU one (webgpu-kernels.test.ts): seeded random shapes, the stock
// reference, and the relative error that must stay under TOLERANCE.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { stockKernel } from '../../src/engine/kernels';
import { seededRandom } from '../../src/engine/data/random';

export type Shape4 = [number, number, number, number];
export type Pad = 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];
export type Backend = 'cpu' | 'wasm' | 'webgpu';
export type Inputs = Record<string, { shape: number[]; data: Float32Array }>;

export const TOLERANCE = 1e-5;

export const rng = seededRandom;
export const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export const values = (r: () => number, shape: number[]): Float32Array =>
  Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);

export function relativeError(ours: ArrayLike<number>, ref: ArrayLike<number>): number {
  assert.equal(ours.length, ref.length, 'output sizes differ');
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = ours[i]! - ref[i]!;
    num += d * d;
    den += ref[i]! * ref[i]!;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/** Runs whatever kernel is registered for `backend` now (ours, once registered). */
export async function runRegistered(backend: Backend, kernel: string, inputs: Inputs, attrs: object): Promise<Float32Array> {
  await tf.setBackend(backend);
  const out = tf.tidy(() => {
    const ts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
    return tf.engine().runKernel(kernel, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
  });
  const result = (await out.data()) as Float32Array;
  out.dispose();
  return result;
}

/** Runs tfjs's own JS-backend kernel, even where ours has replaced it. */
export async function runStockCpu(kernel: string, inputs: Inputs, attrs: object): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const config = stockKernel(kernel, 'cpu');
  assert.ok(config, `no stock cpu kernel ${kernel}`);
  const backend = tf.backend();
  return tf.tidy(() => {
    const infos = Object.fromEntries(Object.entries(inputs).map(([k, v]) => {
      const t = tf.tensor(v.data, v.shape);
      return [k, { dataId: t.dataId, shape: t.shape, dtype: t.dtype }];
    }));
    const out = config.kernelFunc({ inputs: infos, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
    const result = Float32Array.from(backend.readSync(out.dataId) as Float32Array);
    backend.disposeData(out.dataId);
    return result;
  });
}

export interface ConvCase {
  label: string;
  xShape: Shape4;
  fShape: Shape4;
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  dyShape: Shape4;
}

export function randomPad(r: () => number): Pad {
  switch (int(r, 0, 3)) {
    case 0: return 'valid';
    case 1: return 'same';
    case 2: return int(r, 0, 2);
    default: return [[0, 0], [int(r, 0, 3), int(r, 0, 2)], [int(r, 0, 2), int(r, 0, 3)], [0, 0]];
  }
}

export function convCases(seed: number, count: number, depthwise: boolean): ConvCase[] {
  const r = rng(seed);
  const cases: ConvCase[] = [];
  while (cases.length < count) {
    const kH = int(r, 1, 4);
    const kW = int(r, 1, 4);
    const dilations: [number, number] = [int(r, 1, 2), int(r, 1, 2)];
    const strides: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
    const inC = int(r, 1, 4);
    const xShape: Shape4 = [int(r, 1, 4), int(r, 3, 12), int(r, 3, 12), inC];
    const fShape: Shape4 = [kH, kW, inC, depthwise ? int(r, 1, 3) : int(r, 1, 5)];
    const pad = randomPad(r);
    let info: tf.backend_util.Conv2DInfo;
    try {
      info = tf.backend_util.computeConv2DInfo(xShape, fShape, strides, dilations, pad, undefined, depthwise);
    } catch {
      continue;
    }
    if (info.outHeight < 1 || info.outWidth < 1) continue;
    const label = `x ${xShape} f ${fShape} s ${strides} d ${dilations} pad ${JSON.stringify(pad)}`;
    cases.push({ label, xShape, fShape, strides, dilations, pad, dyShape: info.outShape });
  }
  return cases;
}

/** The undilated filter equivalent to `f` dilated by `d`: zeros between the taps. */
export function dilateFilter(f: Float32Array, shape: Shape4, d: [number, number]): { data: Float32Array; shape: Shape4 } {
  const [kH, kW, c, m] = shape;
  const eH = (kH - 1) * d[0] + 1;
  const eW = (kW - 1) * d[1] + 1;
  const out = new Float32Array(eH * eW * c * m);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const src = (kh * kW + kw) * c * m;
      out.set(f.subarray(src, src + c * m), (kh * d[0] * eW + kw * d[1]) * c * m);
    }
  }
  return { data: out, shape: [eH, eW, c, m] };
}

/** The taps of an undilated-filter gradient that a dilated filter actually has. */
export function undilateGrad(g: Float32Array, shape: Shape4, d: [number, number]): Float32Array {
  const [kH, kW, c, m] = shape;
  const eW = (kW - 1) * d[1] + 1;
  const out = new Float32Array(kH * kW * c * m);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const src = (kh * d[0] * eW + kw * d[1]) * c * m;
      out.set(g.subarray(src, src + c * m), (kh * kW + kw) * c * m);
    }
  }
  return out;
}

export async function checkFilterGrad(kernel: string, backend: Backend, c: ConvCase, depthwise: boolean, seed: number): Promise<void> {
  const r = rng(seed);
  const x = values(r, c.xShape);
  const dy = values(r, c.dyShape);
  const inputs: Inputs = { x: { shape: c.xShape, data: x }, dy: { shape: c.dyShape, data: dy } };
  const base = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
  const ours = await runRegistered(backend, kernel, inputs, { ...base, dilations: c.dilations, filterShape: c.fShape });
  const eShape = dilateFilter(new Float32Array(c.fShape.reduce((a, b) => a * b)), c.fShape, c.dilations).shape;
  const refAttrs = { ...base, dilations: 1, filterShape: eShape };
  const ref = undilateGrad(await runStockCpu(kernel, inputs, refAttrs), c.fShape, c.dilations);
  const err = relativeError(ours, ref);
  assert.ok(err < TOLERANCE, `${kernel} on ${backend}, ${c.label}${depthwise ? ' (depthwise)' : ''}: relative error ${err}`);
}

export async function checkInputGrad(kernel: string, backend: Backend, c: ConvCase, seed: number): Promise<void> {
  const r = rng(seed);
  const f = values(r, c.fShape);
  const dy = values(r, c.dyShape);
  const base = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: c.xShape };
  const ours = await runRegistered(backend, kernel, { dy: { shape: c.dyShape, data: dy }, filter: { shape: c.fShape, data: f } },
    { ...base, dilations: c.dilations });
  const e = dilateFilter(f, c.fShape, c.dilations);
  const ref = await runStockCpu(kernel, { dy: { shape: c.dyShape, data: dy }, filter: e }, { ...base, dilations: 1 });
  const err = relativeError(ours, ref);
  assert.ok(err < TOLERANCE, `${kernel} on ${backend}, ${c.label}: relative error ${err}`);
}

export interface PoolCase {
  label: string;
  xShape: Shape4;
  attrs: { filterSize: [number, number]; strides: [number, number]; pad: 'valid' | 'same' | number };
}

export function poolCases(seed: number, count: number, maxSide = 12): PoolCase[] {
  const r = rng(seed);
  const cases: PoolCase[] = [];
  while (cases.length < count) {
    const filterSize: [number, number] = [int(r, 1, 4), int(r, 1, 4)];
    const strides: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
    const pads = ['valid', 'same', int(r, 0, Math.min(...filterSize) - 1)] as const;
    const pad = pads[int(r, 0, 2)]!;
    const xShape: Shape4 = [int(r, 1, 4), int(r, 4, maxSide), int(r, 4, maxSide), int(r, 1, 5)];
    const info = tf.backend_util.computePool2DInfo(xShape, filterSize, strides, 1, pad);
    if (info.outHeight < 1 || info.outWidth < 1) continue;
    cases.push({ label: `x ${xShape} f ${filterSize} s ${strides} pad ${pad}`, xShape, attrs: { filterSize, strides, pad } });
  }
  return cases;
}

/** dy, input (and output, for max) of a pooling case, with the forward pass run by stock tfjs on cpu. */
export async function poolInputs(c: PoolCase, seed: number, kind: 'avg' | 'max'): Promise<{ inputs: Inputs; x: Float32Array; y: Float32Array }> {
  const rr = rng(seed);
  const x = values(rr, c.xShape);
  await tf.setBackend('cpu');
  const yt = tf.tidy(() => {
    const xt = tf.tensor4d(x, c.xShape);
    return kind === 'avg' ? tf.avgPool(xt, c.attrs.filterSize, c.attrs.strides, c.attrs.pad)
      : tf.maxPool(xt, c.attrs.filterSize, c.attrs.strides, c.attrs.pad);
  });
  const y = yt.dataSync() as Float32Array;
  const inputs: Inputs = { dy: { shape: yt.shape, data: values(rr, yt.shape) }, input: { shape: c.xShape, data: x } };
  if (kind === 'max') inputs.output = { shape: yt.shape, data: y };
  yt.dispose();
  return { inputs, x, y };
}

/**
 * Stock AvgPoolGrad disagrees with its own forward pass where windows overlap padding (see
 * flat/pool_grad.ts), so it is the reference only where none do; everywhere, ours must be the
 * adjoint of stock avgPool: sum(avgPool(x) * dy) = sum(x * dx).
 */
export async function checkAvgPoolGrad(backend: Backend, c: PoolCase, seed: number): Promise<void> {
  const { inputs, x, y } = await poolInputs(c, seed, 'avg');
  const ours = await runRegistered(backend, 'AvgPoolGrad', inputs, c.attrs);
  const dy = inputs.dy!.data;
  let forward = 0;
  let backward = 0;
  let scale = 0;
  for (let k = 0; k < y.length; k++) {
    // A window wholly in the padding averages nothing (NaN); its gradient is nothing too.
    if (Number.isNaN(y[k])) continue;
    forward += y[k]! * dy[k]!;
    scale += Math.abs(y[k]! * dy[k]!);
  }
  for (let k = 0; k < x.length; k++) backward += x[k]! * ours[k]!;
  assert.ok(Math.abs(forward - backward) <= TOLERANCE * scale, `AvgPoolGrad on ${backend}, ${c.label}: not the adjoint (${forward} vs ${backward})`);
  const info = tf.backend_util.computePool2DInfo(c.xShape, c.attrs.filterSize, c.attrs.strides, 1, c.attrs.pad);
  const inside = info.padInfo.top === 0 && info.padInfo.left === 0
    && (info.outHeight - 1) * info.strideHeight + info.filterHeight <= info.inHeight
    && (info.outWidth - 1) * info.strideWidth + info.filterWidth <= info.inWidth;
  if (inside) {
    const err = relativeError(ours, await runStockCpu('AvgPoolGrad', inputs, c.attrs));
    assert.ok(err < TOLERANCE, `AvgPoolGrad on ${backend}, ${c.label}: relative error ${err}`);
  }
}
