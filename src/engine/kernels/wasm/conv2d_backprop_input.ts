// Conv2DBackpropInput for wasm. The stock one is a scalar C++ loop without dilation support and
// took 16 of a LeNet-5 step's 42 ms. The input gradient is itself a convolution: of dy (with
// stride - 1 zeros between its pixels, padded by the filter's reach) with the filter rotated
// 180 degrees and its channel axes swapped, so XNNPACK's Conv2D computes it. With stride s most
// of that spread frame is zeros (XNNPACK multiplies them all, s*s times the forward's work);
// splitting it into s*s phase convolutions would avoid that, and is not done yet.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type ConvGeometry, type InputGradAttrs } from '../geometry';
import type { KernelArgs } from '../registry';
import { alloc, f32, release, runStock, wasmBackend, type BackendWasm } from './heap';

/** Padding, around dy spread out by the stride, that makes a valid convolution yield dx. */
export interface SpreadPads { top: number; bottom: number; left: number; right: number }

export function spreadPads(g: ConvGeometry): SpreadPads {
  const reachH = (g.kH - 1) * g.dilH;
  const reachW = (g.kW - 1) * g.dilW;
  const spreadH = (g.outH - 1) * g.strideH + 1;
  const spreadW = (g.outW - 1) * g.strideW + 1;
  const top = reachH - g.padTop;
  const left = reachW - g.padLeft;
  return { top, left, bottom: g.inH + reachH - spreadH - top, right: g.inW + reachW - spreadW - left };
}

/** Filter [kh,kw,ci,co] to [kH-1-kh, kW-1-kw, co, ci]: the adjoint of the forward taps. */
export function rotateFilter(w: Float32Array, out: Float32Array, kH: number, kW: number, inC: number, outC: number): void {
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const src = (kh * kW + kw) * inC * outC;
      const dst = ((kH - 1 - kh) * kW + (kW - 1 - kw)) * outC * inC;
      for (let ci = 0; ci < inC; ci++) {
        for (let co = 0; co < outC; co++) out[dst + co * inC + ci] = w[src + ci * outC + co]!;
      }
    }
  }
}

/** dy spread by the stride into a zeroed [b, inH+reachH, inW+reachW, c] frame (pads may crop). */
function spreadInto(dy: Float32Array, out: Float32Array, g: ConvGeometry, p: SpreadPads): void {
  const frameH = g.inH + (g.kH - 1) * g.dilH;
  const frameW = g.inW + (g.kW - 1) * g.dilW;
  const c = g.outC;
  out.fill(0);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      const fh = p.top + oh * g.strideH;
      if (fh < 0 || fh >= frameH) continue;
      for (let ow = 0; ow < g.outW; ow++) {
        const fw = p.left + ow * g.strideW;
        if (fw < 0 || fw >= frameW) continue;
        const src = ((b * g.outH + oh) * g.outW + ow) * c;
        const dst = ((b * frameH + fh) * frameW + fw) * c;
        for (let k = 0; k < c; k++) out[dst + k] = dy[src + k]!;
      }
    }
  }
}

export function conv2dBackpropInputWasm(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args);
  const { dy, filter } = args.inputs;
  const a = args.attrs as unknown as InputGradAttrs;
  if (dy === undefined || filter === undefined) throw new Error('Conv2DBackpropInput needs dy and filter');
  if (a.dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropInput supports NHWC only, as wasm Conv2D does');
  const g = convGeometry(a.inputShape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false);
  const rotated = alloc(backend, [g.kH, g.kW, g.outC, g.inC]);
  rotateFilter(f32(backend, filter), f32(backend, rotated), g.kH, g.kW, g.inC, g.outC);
  const dx = g.inC === 1 && g.outC > 1 ? singleChannel(backend, dy, rotated, g) : convolveSpread(backend, dy, rotated, g);
  release(backend, rotated);
  return dx;
}

/**
 * A one-channel input (a greyscale first layer) makes the adjoint convolution's GEMM one output
 * column wide, which wastes most of XNNPACK's tile: per-channel (depthwise) convolution and
 * a channel sum does the same arithmetic at about 1.7 times the speed. The rotated filter
 * [kH, kW, outC, 1] already has the depthwise layout.
 */
function singleChannel(backend: BackendWasm, dy: tf.TensorInfo, rotated: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const perChannel = convolveSpread(backend, dy, rotated, g, tf.DepthwiseConv2dNative);
  const dx = runStock(backend, tf.Sum, { x: perChannel }, { axis: [3], keepDims: true });
  release(backend, perChannel);
  return dx;
}

/**
 * Stride-1 convolution (`conv`: Conv2D, or DepthwiseConv2dNative) of `dy`, spread by the stride
 * and padded, with the adjoint `filter`: the input gradient of the forward pass `g` describes.
 */
export function convolveSpread(
  backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry, conv: string = tf.Conv2D,
): tf.TensorInfo {
  const p = spreadPads(g);
  const attrs = { strides: 1, dilations: [g.dilH, g.dilW], dataFormat: 'NHWC' };
  const direct = g.strideH === 1 && g.strideW === 1 && p.top >= 0 && p.left >= 0 && p.bottom >= 0 && p.right >= 0;
  if (direct) {
    const pad = [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];
    return runStock(backend, conv, { x: dy, filter }, { ...attrs, pad });
  }
  const frame = alloc(backend, [g.batch, g.inH + (g.kH - 1) * g.dilH, g.inW + (g.kW - 1) * g.dilW, g.outC]);
  spreadInto(f32(backend, dy), f32(backend, frame), g, p);
  const dx = runStock(backend, conv, { x: frame, filter }, { ...attrs, pad: 'valid' });
  release(backend, frame);
  return dx;
}

export const conv2dBackpropInputWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInputWasm,
};
