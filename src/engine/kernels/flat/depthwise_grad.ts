// Depthwise convolution gradients on flat NHWC arrays. wasm has neither kernel, and the JS
// backend's versions read every operand through TensorBuffer.get and ignore dilation in their loops.
// Channel multiplier m: output channel c*m + j reads input channel c through filter [.., c, j].
import { convGeometry, validOutputRange, type ConvGeometry, type Pad, type Pair, type Rounding } from '../geometry';
import { input, type FlatKernel } from './io';

export interface DepthwiseGradAttrs {
  strides: Pair;
  dilations?: Pair;
  pad: Pad;
  dimRoundingMode?: Rounding;
}

/**
 * Sums along an output row in registers, four output channels at a time: four independent
 * accumulators keep V8's loop under 1 ns a multiply-add, where updating the float64 gradient
 * array per multiply-add took three times as long.
 */
export function depthwiseFilterGrad(x: ArrayLike<number>, dy: ArrayLike<number>, g: ConvGeometry): Float64Array {
  const { inH, inW, inC, outH, outW, outC, kW } = g;
  const mult = outC / inC;
  const acc = new Float64Array(g.kH * kW * outC);
  const xStep = g.strideW * inC;
  for (let b = 0; b < g.batch; b++) {
    for (let kh = 0; kh < g.kH; kh++) {
      const [ohLo, ohHi] = validOutputRange(kh, g.dilH, g.strideH, g.padTop, inH, outH);
      for (let oh = ohLo; oh < ohHi; oh++) {
        const xRow = (b * inH + oh * g.strideH + kh * g.dilH - g.padTop) * inW;
        const dyRow = (b * outH + oh) * outW;
        for (let kw = 0; kw < kW; kw++) {
          const [owLo, owHi] = validOutputRange(kw, g.dilW, g.strideW, g.padLeft, inW, outW);
          if (owLo >= owHi) continue;
          const tap = (kh * kW + kw) * outC;
          const x0 = (xRow + owLo * g.strideW + kw * g.dilW - g.padLeft) * inC;
          const dy0 = (dyRow + owLo) * outC;
          let o = 0;
          for (; o + 4 <= outC; o += 4) {
            const c0 = x0 + Math.floor(o / mult);
            const c1 = x0 + Math.floor((o + 1) / mult);
            const c2 = x0 + Math.floor((o + 2) / mult);
            const c3 = x0 + Math.floor((o + 3) / mult);
            let s0 = 0;
            let s1 = 0;
            let s2 = 0;
            let s3 = 0;
            for (let ow = owLo, xi = 0, di = dy0 + o; ow < owHi; ow++, xi += xStep, di += outC) {
              s0 += x[c0 + xi]! * dy[di]!;
              s1 += x[c1 + xi]! * dy[di + 1]!;
              s2 += x[c2 + xi]! * dy[di + 2]!;
              s3 += x[c3 + xi]! * dy[di + 3]!;
            }
            acc[tap + o]! += s0;
            acc[tap + o + 1]! += s1;
            acc[tap + o + 2]! += s2;
            acc[tap + o + 3]! += s3;
          }
          for (; o < outC; o++) {
            const c = x0 + Math.floor(o / mult);
            let s = 0;
            for (let ow = owLo, xi = 0, di = dy0 + o; ow < owHi; ow++, xi += xStep, di += outC) s += x[c + xi]! * dy[di]!;
            acc[tap + o]! += s;
          }
        }
      }
    }
  }
  return acc;
}

/** Only the JS backend uses this one; wasm runs the input gradient on XNNPACK (wasm/depthwise.ts). */
export function depthwiseInputGrad(dy: ArrayLike<number>, w: ArrayLike<number>, g: ConvGeometry): Float64Array {
  const { inH, inW, inC, outH, outW, outC, kW } = g;
  const mult = outC / inC;
  const acc = new Float64Array(g.batch * inH * inW * inC);
  for (let b = 0; b < g.batch; b++) {
    for (let kh = 0; kh < g.kH; kh++) {
      const [ohLo, ohHi] = validOutputRange(kh, g.dilH, g.strideH, g.padTop, inH, outH);
      for (let oh = ohLo; oh < ohHi; oh++) {
        const xRow = (b * inH + oh * g.strideH + kh * g.dilH - g.padTop) * inW;
        const dyRow = (b * outH + oh) * outW;
        for (let kw = 0; kw < kW; kw++) {
          const [owLo, owHi] = validOutputRange(kw, g.dilW, g.strideW, g.padLeft, inW, outW);
          const tap = (kh * kW + kw) * outC;
          for (let ow = owLo; ow < owHi; ow++) {
            const xo = (xRow + ow * g.strideW + kw * g.dilW - g.padLeft) * inC;
            const dyo = (dyRow + ow) * outC;
            for (let c = 0, o = 0; c < inC; c++) {
              let s = 0;
              for (let j = 0; j < mult; j++, o++) s += w[tap + o]! * dy[dyo + o]!;
              acc[xo + c]! += s;
            }
          }
        }
      }
    }
  }
  return acc;
}

export const depthwiseFilterGradKernel: FlatKernel = (io, args) => {
  const x = input(args, 'x');
  const dy = input(args, 'dy');
  const a = args.attrs as unknown as DepthwiseGradAttrs & { filterShape: [number, number, number, number] };
  const g = convGeometry(x.shape, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
  return io.compute([x, dy], a.filterShape, ([xv, dyv], out) => out.set(depthwiseFilterGrad(xv!, dyv!, g)));
};

export const depthwiseInputGradKernel: FlatKernel = (io, args) => {
  const dy = input(args, 'dy');
  const filter = input(args, 'filter');
  const a = args.attrs as unknown as DepthwiseGradAttrs & { inputShape: [number, number, number, number] };
  const g = convGeometry(a.inputShape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
  return io.compute([dy, filter], a.inputShape, ([dyv, wv], out) => out.set(depthwiseInputGrad(dyv!, wv!, g)));
};
