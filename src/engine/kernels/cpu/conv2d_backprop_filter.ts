// Conv2DBackpropFilter for the JS backend. The stock kernel reads every operand through
// TensorBuffer.get (an index computation and bounds check per multiply-add) and spent 91% of a
// LeNet-5 step there; this one walks flat arrays with the valid output ranges hoisted out of
// the inner loops, and accumulates in float64 so its rounding stays below the stock kernel's.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, validOutputRange, type FilterGradAttrs } from '../geometry';
import { stockKernel, type KernelArgs } from '../registry';
import { cpuIO, cpuValues } from './io';

/**
 * acc[w0 + co] += sum over n < count of x[xi + n*xStep] * dy[di + n*outC + co], for every co.
 * Summing along the row in registers, four output channels at a time, keeps V8 near 1 ns a
 * multiply-add; updating the gradient array per multiply-add cost twice that.
 */
function accumulateRow(
  x: ArrayLike<number>, dy: ArrayLike<number>, acc: Float64Array,
  xi: number, xStep: number, di: number, outC: number, w0: number, count: number,
): void {
  let co = 0;
  for (; co + 4 <= outC; co += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let n = 0, a = xi, d = di + co; n < count; n++, a += xStep, d += outC) {
      const v = x[a]!;
      s0 += v * dy[d]!;
      s1 += v * dy[d + 1]!;
      s2 += v * dy[d + 2]!;
      s3 += v * dy[d + 3]!;
    }
    acc[w0 + co]! += s0;
    acc[w0 + co + 1]! += s1;
    acc[w0 + co + 2]! += s2;
    acc[w0 + co + 3]! += s3;
  }
  for (; co < outC; co++) {
    let s = 0;
    for (let n = 0, a = xi, d = di + co; n < count; n++, a += xStep, d += outC) s += x[a]! * dy[d]!;
    acc[w0 + co]! += s;
  }
}

export function conv2dBackpropFilterCpu(args: KernelArgs): tf.TensorInfo {
  const { inputs, attrs } = args;
  const { x, dy } = inputs;
  const a = attrs as unknown as FilterGradAttrs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs x and dy');
  if (a.dataFormat === 'NCHW') {
    const stock = stockKernel(tf.Conv2DBackpropFilter, 'cpu');
    if (stock === undefined) throw new Error('Conv2DBackpropFilter: no stock kernel for NCHW');
    return stock.kernelFunc(args) as tf.TensorInfo;
  }
  const g = convGeometry(x.shape, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false);
  const xv = cpuValues(args.backend, x);
  const dyv = cpuValues(args.backend, dy);
  const { inH, inW, inC, outH, outW, outC, kH, kW } = g;
  const acc = new Float64Array(kH * kW * inC * outC);
  const xStep = g.strideW * inC;
  for (let b = 0; b < g.batch; b++) {
    for (let kh = 0; kh < kH; kh++) {
      const [ohLo, ohHi] = validOutputRange(kh, g.dilH, g.strideH, g.padTop, inH, outH);
      for (let oh = ohLo; oh < ohHi; oh++) {
        const xRow = (b * inH + oh * g.strideH + kh * g.dilH - g.padTop) * inW;
        const dyRow = (b * outH + oh) * outW;
        for (let kw = 0; kw < kW; kw++) {
          const [owLo, owHi] = validOutputRange(kw, g.dilW, g.strideW, g.padLeft, inW, outW);
          if (owLo >= owHi) continue;
          const x0 = (xRow + owLo * g.strideW + kw * g.dilW - g.padLeft) * inC;
          const dy0 = (dyRow + owLo) * outC;
          for (let ci = 0; ci < inC; ci++) {
            const w0 = ((kh * kW + kw) * inC + ci) * outC;
            accumulateRow(xv, dyv, acc, x0 + ci, xStep, dy0, outC, w0, owHi - owLo);
          }
        }
      }
    }
  }
  return cpuIO(args.backend).compute([], [kH, kW, inC, outC], (_, out) => out.set(acc));
}

export const conv2dBackpropFilterCpuConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'cpu',
  kernelFunc: conv2dBackpropFilterCpu,
};
