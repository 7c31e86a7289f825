// Conv2DBackpropFilter for wasm, which has none. The gradient is one matrix product,
// dW[(kh,kw,ci), co] = sum over (b,oh,ow) of patch * dy, so we lay the patches out in JS with
// one row per filter tap (wasm/patches.ts) and let XNNPACK's GEMM do every multiply-add: wasm's
// BatchMatMul is only fast for a single product with neither operand transposed.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type ConvGeometry, type FilterGradAttrs } from '../geometry';
import type { KernelArgs } from '../registry';
import { alloc, f32, floatOffset, heapF32, matmul, release, wasmBackend, type BackendWasm } from './heap';
import { fillStridedPatches, fillWidePatches, wideIsWorthIt, wideLayout } from './patches';

/**
 * The patch matrix is taps times the output's size; past `maxPatchFloats` (64 MiB) the batch
 * goes through in slices, so a large layer cannot grow the wasm heap without bound. Mutable
 * so that tests can force slicing on small shapes.
 */
export const patchLimits = { maxPatchFloats: 1 << 24 };

/** dW as [taps, outC] for images [b0, b0 + g.batch) of the input; `g` describes one slice. */
type Slice = (backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, b0: number) => tf.TensorInfo;

/**
 * dy goes to the GEMM as a copy even when whole: XNNPACK caches its packed weights under the
 * weight tensor's id, so handing it the caller's dy could serve a stale packing to a later
 * product that reads the same storage (a reshape shares it) with another shape.
 */
const viaStridedPatches: Slice = (backend, x, dy, g, b0) => {
  const rows = g.kH * g.kW * g.inC;
  const depth = g.batch * g.outH * g.outW;
  const cols = alloc(backend, [rows, depth]);
  const dySlice = alloc(backend, [depth, g.outC]);
  const from = floatOffset(backend, dy) + b0 * g.outH * g.outW * g.outC;
  heapF32(backend).copyWithin(floatOffset(backend, dySlice), from, from + depth * g.outC);
  fillStridedPatches(f32(backend, x).subarray(b0 * g.inH * g.inW * g.inC), f32(backend, cols), g);
  const out = matmul(backend, cols, dySlice, rows, depth, g.outC);
  release(backend, cols, dySlice);
  return out;
};

const viaWidePatches: Slice = (backend, x, dy, g, b0) => {
  const l = wideLayout(g);
  const rows = g.kH * g.kW * g.inC;
  const planar = alloc(backend, [l.planarSize]);
  const cols = alloc(backend, [rows, l.depth]);
  const dyWide = alloc(backend, [l.depth, g.outC]);
  const at = (t: tf.TensorInfo): number => floatOffset(backend, t);
  fillWidePatches(heapF32(backend), {
    x: at(x) + b0 * g.inH * g.inW * g.inC,
    dy: at(dy) + b0 * g.outH * g.outW * g.outC,
    planar: at(planar), cols: at(cols), dyWide: at(dyWide),
  }, g, l);
  release(backend, planar);
  const out = matmul(backend, cols, dyWide, rows, l.depth, g.outC);
  release(backend, cols, dyWide);
  return out;
};

export function conv2dBackpropFilterWasm(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args);
  const { x, dy } = args.inputs;
  const a = args.attrs as unknown as FilterGradAttrs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs x and dy');
  if (a.dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports NHWC only, as wasm Conv2D does');
  const g = convGeometry(x.shape, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false);
  const wide = wideIsWorthIt(g);
  const slice = wide ? viaWidePatches : viaStridedPatches;
  const perImage = g.kH * g.kW * g.inC * g.outH * (wide ? wideLayout(g).padW : g.outW);
  const step = Math.max(1, Math.min(g.batch, Math.floor(patchLimits.maxPatchFloats / perImage)));
  let total: tf.TensorInfo | undefined;
  for (let b0 = 0; b0 < g.batch; b0 += step) {
    const part = slice(backend, x, dy, { ...g, batch: Math.min(step, g.batch - b0) }, b0);
    if (total === undefined) {
      total = part;
      continue;
    }
    const sum = f32(backend, total);
    const add = f32(backend, part);
    for (let i = 0; i < sum.length; i++) sum[i]! += add[i]!;
    release(backend, part);
  }
  if (total === undefined) {
    total = alloc(backend, [g.kH * g.kW * g.inC, g.outC]);
    f32(backend, total).fill(0);
  }
  return { dataId: total.dataId, shape: [g.kH, g.kW, g.inC, g.outC], dtype: 'float32' };
}

export const conv2dBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm,
};
