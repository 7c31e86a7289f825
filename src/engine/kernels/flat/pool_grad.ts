// Pooling gradients on flat NHWC arrays, shared by the cpu and wasm adapters. Both backends'
// stock versions walk every input pixel and test every window tap for membership (the wasm
// one cost 2.6 ms per LeNet-5 step for average pooling, 5.2 ms for max pooling); scattering
// from each output window touches only the taps that exist.
//
// Average pooling deliberately differs from stock tfjs where a window overlaps the padding:
// tfjs's forward pass (cpu and XNNPACK alike) divides by the pixels the window covers, but its
// AvgPoolGrad divides by the full window size, so its gradient is wrong at 'same'-padded
// borders. Ours divides by what the forward pass divided by.
import * as tf from '@tensorflow/tfjs';
import type { Pad, Pair, Rounding, Shape4 } from '../geometry';
import { input, type FlatKernel } from './io';

export interface PoolGradAttrs {
  filterSize: Pair;
  strides: Pair;
  pad: Pad;
  dimRoundingMode?: Rounding;
}

export interface PoolWindow {
  batch: number;
  inH: number;
  inW: number;
  c: number;
  outH: number;
  outW: number;
  fH: number;
  fW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

export function poolWindow(xShape: readonly number[], a: PoolGradAttrs): PoolWindow {
  const info = tf.backend_util.computePool2DInfo(xShape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  return {
    batch: info.batchSize, inH: info.inHeight, inW: info.inWidth, c: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, fH: info.filterHeight, fW: info.filterWidth,
    strideH: info.strideHeight, strideW: info.strideWidth, padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

/** Windows that tile the input exactly (stride = size, no padding): the common 2x2 pool. */
function tiles(p: PoolWindow): boolean {
  return p.strideH === p.fH && p.strideW === p.fW && p.padTop === 0 && p.padLeft === 0
    && p.outH * p.fH <= p.inH && p.outW * p.fW <= p.inW;
}

export function avgPoolGrad(dy: ArrayLike<number>, dx: Float32Array, p: PoolWindow): void {
  const { c, inH, inW, outH, outW } = p;
  dx.fill(0);
  const tiled = tiles(p);
  for (let b = 0; b < p.batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * p.strideH - p.padTop;
      const hLo = Math.max(0, h0);
      const hHi = Math.min(inH, h0 + p.fH);
      for (let ow = 0; ow < outW; ow++) {
        const w0 = ow * p.strideW - p.padLeft;
        const wLo = Math.max(0, w0);
        const wHi = Math.min(inW, w0 + p.fW);
        const covered = (hHi - hLo) * (wHi - wLo);
        if (covered <= 0) continue;
        const scale = 1 / covered;
        const src = ((b * outH + oh) * outW + ow) * c;
        for (let ih = hLo; ih < hHi; ih++) {
          for (let iw = wLo; iw < wHi; iw++) {
            const dst = ((b * inH + ih) * inW + iw) * c;
            if (tiled) for (let k = 0; k < c; k++) dx[dst + k] = dy[src + k]! * scale;
            else for (let k = 0; k < c; k++) dx[dst + k]! += dy[src + k]! * scale;
          }
        }
      }
    }
  }
}

/**
 * Each window's gradient goes to its first maximum in row-major order, as tfjs's maxPool picks
 * it. Taps are the outer loop and channels the inner one, so reads run along memory.
 */
export function maxPoolGrad(dy: ArrayLike<number>, x: ArrayLike<number>, dx: Float32Array, p: PoolWindow): void {
  const { c, inH, inW, outH, outW } = p;
  const best = new Float64Array(c);
  const at = new Int32Array(c);
  dx.fill(0);
  for (let b = 0; b < p.batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * p.strideH - p.padTop;
      const hLo = Math.max(0, h0);
      const hHi = Math.min(inH, h0 + p.fH);
      for (let ow = 0; ow < outW; ow++) {
        const w0 = ow * p.strideW - p.padLeft;
        const wLo = Math.max(0, w0);
        const wHi = Math.min(inW, w0 + p.fW);
        // Small per-window resets: a fill() call here costs more than the window's work.
        for (let k = 0; k < c; k++) {
          best[k] = Number.NEGATIVE_INFINITY;
          at[k] = -1;
        }
        for (let ih = hLo; ih < hHi; ih++) {
          for (let iw = wLo; iw < wHi; iw++) {
            const i = ((b * inH + ih) * inW + iw) * c;
            for (let k = 0; k < c; k++) {
              const v = x[i + k]!;
              if (v > best[k]!) {
                best[k] = v;
                at[k] = i + k;
              }
            }
          }
        }
        const src = ((b * outH + oh) * outW + ow) * c;
        for (let k = 0; k < c; k++) {
          const i = at[k]!;
          if (i >= 0) dx[i]! += dy[src + k]!;
        }
      }
    }
  }
}

export const avgPoolGradKernel: FlatKernel = (io, args) => {
  const dy = input(args, 'dy');
  const x = input(args, 'input');
  const p = poolWindow(x.shape, args.attrs as unknown as PoolGradAttrs);
  return io.compute([dy], x.shape, ([dyv], dx) => avgPoolGrad(dyv!, dx, p));
};

export const maxPoolGradKernel: FlatKernel = (io, args) => {
  const dy = input(args, 'dy');
  const x = input(args, 'input');
  const p = poolWindow(x.shape, args.attrs as unknown as PoolGradAttrs);
  return io.compute([dy, x], x.shape, ([dyv, xv], dx) => maxPoolGrad(dyv!, xv!, dx, p));
};
