// Pooling gradients on WebGPU, one invocation per input pixel and channel, gathering from the
// windows that hold it (no scatter, so no atomics and no zero-fill pass). Stock tfjs needs two
// programs for max pooling (the positions, then the gradient); here each window's first maximum
// in row-major order, as tfjs's maxPool picks it, is found again in the same invocation. Average
// pooling divides by the pixels each window covers, as the forward pass does (see
// ../flat/pool_grad.ts for why stock tfjs's AvgPoolGrad is wrong at padded borders).
import * as tf from '@tensorflow/tfjs';
import { poolWindow, type PoolGradAttrs, type PoolWindow } from '../flat/pool_grad';
import type { KernelArgs } from '../registry';
import { elementwise, intFields, ints, webgpuBackend, type UniformData } from './program';

const FIELDS = ['inH', 'inW', 'c', 'outH', 'outW', 'fH', 'fW', 'strideH', 'strideW', 'padTop', 'padLeft'];

const uniformsOf = (p: PoolWindow): UniformData[] =>
  [p.inH, p.inW, p.c, p.outH, p.outW, p.fH, p.fW, p.strideH, p.strideW, p.padTop, p.padLeft].map((v) => ints(v));

/** Loops over the windows (oh, ow) that hold input pixel (ih, iw) of image b, channel ch; `body` runs for each. */
const eachWindow = (body: string): string => `
  let ch = index % uniforms.c;
  let pixel = index / uniforms.c;
  let iw = pixel % uniforms.inW;
  let ih = (pixel / uniforms.inW) % uniforms.inH;
  let b = pixel / (uniforms.inW * uniforms.inH);
  let hFirst = max(0, (ih + uniforms.padTop - uniforms.fH + uniforms.strideH) / uniforms.strideH);
  let hLast = min(uniforms.outH - 1, (ih + uniforms.padTop) / uniforms.strideH);
  let wFirst = max(0, (iw + uniforms.padLeft - uniforms.fW + uniforms.strideW) / uniforms.strideW);
  let wLast = min(uniforms.outW - 1, (iw + uniforms.padLeft) / uniforms.strideW);
  var total = 0.0;
  for (var oh = hFirst; oh <= hLast; oh++) {
    let h0 = oh * uniforms.strideH - uniforms.padTop;
    let hLo = max(0, h0);
    let hHi = min(uniforms.inH, h0 + uniforms.fH);
    for (var ow = wFirst; ow <= wLast; ow++) {
      let w0 = ow * uniforms.strideW - uniforms.padLeft;
      let wLo = max(0, w0);
      let wHi = min(uniforms.inW, w0 + uniforms.fW);
      let g = dy[((b * uniforms.outH + oh) * uniforms.outW + ow) * uniforms.c + ch];
      ${body}
    }
  }
  result[index] = total;`;

// hFirst: the first window whose rows reach ih; (ih + top − fH + sh) / sh is ceil((ih + top − fH + 1) / sh)
// for non-negative numerators, and the max(0, ·) covers the rest (WGSL's / truncates toward zero).

export function avgPoolGradWebgpu(args: KernelArgs): tf.TensorInfo {
  const { dy, input } = args.inputs;
  if (dy === undefined || input === undefined) throw new Error('AvgPoolGrad needs dy and input');
  const p = poolWindow(input.shape, args.attrs as unknown as PoolGradAttrs);
  const program = elementwise('convlabAvgPoolGrad', [...input.shape], ['dy'], intFields(FIELDS), eachWindow(`
      total += g / f32((hHi - hLo) * (wHi - wLo));`));
  return webgpuBackend(args).runWebGPUProgram(program, [dy], 'float32', uniformsOf(p));
}

export function maxPoolGradWebgpu(args: KernelArgs): tf.TensorInfo {
  const { dy, input } = args.inputs;
  if (dy === undefined || input === undefined) throw new Error('MaxPoolGrad needs dy and input');
  const p = poolWindow(input.shape, args.attrs as unknown as PoolGradAttrs);
  const program = elementwise('convlabMaxPoolGrad', [...input.shape], ['dy', 'x'], intFields(FIELDS), eachWindow(`
      var best = -uniforms.INFINITY;
      var at = -1;
      for (var h = hLo; h < hHi; h++) {
        for (var w = wLo; w < wHi; w++) {
          let v = x[((b * uniforms.inH + h) * uniforms.inW + w) * uniforms.c + ch];
          if (v > best) {
            best = v;
            at = h * uniforms.inW + w;
          }
        }
      }
      if (at == ih * uniforms.inW + iw) { total += g; }`));
  return webgpuBackend(args).runWebGPUProgram(program, [dy, input], 'float32', uniformsOf(p));
}

export const avgPoolGradWebgpuConfig: tf.KernelConfig = { kernelName: tf.AvgPoolGrad, backendName: 'webgpu', kernelFunc: avgPoolGradWebgpu };
export const maxPoolGradWebgpuConfig: tf.KernelConfig = { kernelName: tf.MaxPoolGrad, backendName: 'webgpu', kernelFunc: maxPoolGradWebgpu };
