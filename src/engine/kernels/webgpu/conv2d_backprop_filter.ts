// Conv2DBackpropFilter on WebGPU as an implicit GEMM (gemm.ts): dW[(kh,kw,ci), co] =
// Σ over (b,oh,ow) of x[b, oh·sh − top + kh·dh, ow·sw − left + kw·dw, ci] · dy[b, oh, ow, co].
// dW is small (taps × outC) while the sum runs over every output pixel of the batch, so one
// tile per workgroup would leave a big GPU idle: the sum is split into chunks (split-K), each
// workgroup writes its partial tile, and a second program adds the partials. Strides, padding
// and dilation are all handled in loadA's index arithmetic.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type ConvGeometry, type FilterGradAttrs } from '../geometry';
import type { KernelArgs } from '../registry';
import { gemmSource, gemmWorkgroup, STEP, tileFor, type Tile } from './gemm';
import { elementwise, intFields, ints, webgpuBackend, type WebgpuBackendLike, type WgslProgram } from './program';

/** Enough workgroups to fill a large GPU (an H200 has 132 SMs), each summing at least 256 pixels. */
const TARGET_WORKGROUPS = 1024;
const MIN_PIXELS_PER_SPLIT = 256;
/** Partials are splits × taps × outC floats; past this many the split count is cut. */
const MAX_PARTIAL_FLOATS = 1 << 24;

const FIELDS = ['inH', 'inW', 'inC', 'outH', 'outW', 'kW', 'strideH', 'strideW', 'padTop', 'padLeft', 'dilH', 'dilW', 'taps', 'outC', 'pixels', 'chunk'];

export interface FilterGradPlan {
  tile: Tile;
  splits: number;
  /** Pixels each split sums, a multiple of STEP. */
  chunk: number;
}

export function planFilterGrad(g: ConvGeometry): FilterGradPlan {
  const taps = g.kH * g.kW * g.inC;
  const pixels = g.batch * g.outH * g.outW;
  const tile = tileFor(taps, g.outC);
  const tiles = Math.ceil(taps / tile.m) * Math.ceil(g.outC / tile.n);
  const wanted = Math.ceil(TARGET_WORKGROUPS / tiles);
  const most = Math.max(1, Math.min(Math.ceil(pixels / MIN_PIXELS_PER_SPLIT), Math.floor(MAX_PARTIAL_FLOATS / (taps * g.outC)), 65535));
  const splits = Math.max(1, Math.min(wanted, most));
  const chunk = Math.ceil(pixels / splits / STEP) * STEP;
  return { tile, splits: Math.ceil(pixels / chunk), chunk };
}

function filterGradProgram(outputShape: number[], g: ConvGeometry, plan: FilterGradPlan): WgslProgram {
  const taps = g.kH * g.kW * g.inC;
  return {
    outputShape,
    shaderKey: `convlabConv2DFilterGrad_${plan.tile.m}_${plan.tile.n}`,
    dispatchLayout: { x: [0], y: [1], z: [2] },
    dispatch: [Math.ceil(g.outC / plan.tile.n), Math.ceil(taps / plan.tile.m), plan.splits],
    variableNames: ['x', 'dy'],
    uniforms: intFields(FIELDS),
    workgroupSize: gemmWorkgroup,
    getUserCode: () => gemmSource({
      aAlong: 'm',
      bAlong: 'n',
      prologue: `
        let split = i32(workgroupId.z);
        let rStart = split * uniforms.chunk;
        if (li == 0) { stepCount = (min(uniforms.pixels, rStart + uniforms.chunk) - rStart + ${STEP - 1}) / ${STEP}; }`,
      functions: `
        fn loadA(m : i32, r : i32) -> f32 {
          if (m >= uniforms.taps || r >= uniforms.pixels) { return 0.0; }
          let ci = m % uniforms.inC;
          let kk = m / uniforms.inC;
          let kw = kk % uniforms.kW;
          let kh = kk / uniforms.kW;
          let ow = r % uniforms.outW;
          let q = r / uniforms.outW;
          let oh = q % uniforms.outH;
          let b = q / uniforms.outH;
          let ih = oh * uniforms.strideH - uniforms.padTop + kh * uniforms.dilH;
          let iw = ow * uniforms.strideW - uniforms.padLeft + kw * uniforms.dilW;
          if (ih < 0 || ih >= uniforms.inH || iw < 0 || iw >= uniforms.inW) { return 0.0; }
          return x[((b * uniforms.inH + ih) * uniforms.inW + iw) * uniforms.inC + ci];
        }
        fn loadB(r : i32, n : i32) -> f32 {
          if (r >= uniforms.pixels || n >= uniforms.outC) { return 0.0; }
          return dy[r * uniforms.outC + n];
        }
        fn store(m : i32, n : i32, v : f32) {
          if (m < uniforms.taps && n < uniforms.outC) {
            result[(i32(workgroupId.z) * uniforms.taps + m) * uniforms.outC + n] = v;
          }
        }`,
    }, plan.tile),
  };
}

/** Adds the splits' partial results, [splits, n] to `outputShape` (n values), and frees the partials. */
export function sumPartials(backend: WebgpuBackendLike, partials: tf.TensorInfo, outputShape: number[], splits: number): tf.TensorInfo {
  const length = tf.util.sizeFromShape(outputShape);
  const program = elementwise('convlabSumPartials', outputShape, ['partials'], 'splits : i32, length : i32,', `
    var total = 0.0;
    for (var s = 0; s < uniforms.splits; s++) { total += partials[s * uniforms.length + index]; }
    result[index] = total;`);
  const out = backend.runWebGPUProgram(program, [partials], 'float32', [ints(splits), ints(length)]);
  backend.disposeData(partials.dataId);
  return out;
}

export function conv2dBackpropFilterWebgpu(args: KernelArgs): tf.TensorInfo {
  const backend = webgpuBackend(args);
  const { x, dy } = args.inputs;
  const a = args.attrs as unknown as FilterGradAttrs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs x and dy');
  if (a.dataFormat === 'NCHW') throw new Error('the WebGPU Conv2DBackpropFilter supports NHWC only, as the engine builds every model');
  const g = convGeometry(x.shape, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false);
  const plan = planFilterGrad(g);
  const taps = g.kH * g.kW * g.inC;
  const uniforms = [ints(g.inH), ints(g.inW), ints(g.inC), ints(g.outH), ints(g.outW), ints(g.kW), ints(g.strideH), ints(g.strideW),
    ints(g.padTop), ints(g.padLeft), ints(g.dilH), ints(g.dilW), ints(taps), ints(g.outC), ints(g.batch * g.outH * g.outW), ints(plan.chunk)];
  if (plan.splits === 1) return backend.runWebGPUProgram(filterGradProgram([...a.filterShape], g, plan), [x, dy], 'float32', uniforms);
  const partials = backend.runWebGPUProgram(filterGradProgram([plan.splits, taps, g.outC], g, plan), [x, dy], 'float32', uniforms);
  return sumPartials(backend, partials, [...a.filterShape], plan.splits);
}

export const conv2dBackpropFilterWebgpuConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'webgpu',
  kernelFunc: conv2dBackpropFilterWebgpu,
};
