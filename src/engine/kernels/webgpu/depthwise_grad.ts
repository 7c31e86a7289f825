// Depthwise convolution gradients on WebGPU, with strides, padding, dilation and any channel
// multiplier handled natively. The input gradient is a gather, one invocation per input value:
// each reaches kH·kW·multiplier products at most. The filter gradient is a reduction over every
// output pixel of the batch into a small tensor: a 16×16 workgroup takes 16 neighbouring output
// channels of one tap (so that reads run along memory) and 16 lanes of pixels, sums its share of
// the pixels (the batch is split over the dispatch's z as for the conv filter gradient), and
// folds the 16 lanes in workgroup memory.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type FilterGradAttrs, type InputGradAttrs } from '../geometry';
import type { KernelArgs } from '../registry';
import { sumPartials } from './conv2d_backprop_filter';
import { elementwise, intFields, ints, webgpuBackend, type WgslProgram } from './program';

const FIELDS = ['inH', 'inW', 'inC', 'outH', 'outW', 'outC', 'kH', 'kW', 'mult', 'strideH', 'strideW', 'padTop', 'padLeft', 'dilH', 'dilW'];

type Depthwise = ReturnType<typeof convGeometry>;
const uniformsOf = (g: Depthwise) =>
  [g.inH, g.inW, g.inC, g.outH, g.outW, g.outC, g.kH, g.kW, g.outC / g.inC, g.strideH, g.strideW, g.padTop, g.padLeft, g.dilH, g.dilW].map((v) => ints(v));

export function depthwiseInputGradWebgpu(args: KernelArgs): tf.TensorInfo {
  const { dy, filter } = args.inputs;
  if (dy === undefined || filter === undefined) throw new Error('DepthwiseConv2dNativeBackpropInput needs dy and filter');
  const a = args.attrs as unknown as InputGradAttrs;
  const g = convGeometry(a.inputShape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
  const program = elementwise('convlabDepthwiseInputGrad', [...a.inputShape], ['dy', 'W'], intFields(FIELDS), `
    let ci = index % uniforms.inC;
    let pixel = index / uniforms.inC;
    let iw = pixel % uniforms.inW;
    let ih = (pixel / uniforms.inW) % uniforms.inH;
    let b = pixel / (uniforms.inW * uniforms.inH);
    var total = 0.0;
    for (var kh = 0; kh < uniforms.kH; kh++) {
      let hs = ih + uniforms.padTop - kh * uniforms.dilH;
      let oh = hs / uniforms.strideH;
      if (hs < 0 || hs % uniforms.strideH != 0 || oh >= uniforms.outH) { continue; }
      for (var kw = 0; kw < uniforms.kW; kw++) {
        let ws = iw + uniforms.padLeft - kw * uniforms.dilW;
        let ow = ws / uniforms.strideW;
        if (ws < 0 || ws % uniforms.strideW != 0 || ow >= uniforms.outW) { continue; }
        let dyAt = ((b * uniforms.outH + oh) * uniforms.outW + ow) * uniforms.outC + ci * uniforms.mult;
        let wAt = ((kh * uniforms.kW + kw) * uniforms.inC + ci) * uniforms.mult;
        for (var q = 0; q < uniforms.mult; q++) { total += dy[dyAt + q] * W[wAt + q]; }
      }
    }
    result[index] = total;`);
  return webgpuBackend(args).runWebGPUProgram(program, [dy, filter], 'float32', uniformsOf(g));
}

const PIXELS_PER_SPLIT = 4096;

function filterGradProgram(outputShape: number[], g: Depthwise, splits: number): WgslProgram {
  return {
    outputShape,
    shaderKey: 'convlabDepthwiseFilterGrad',
    dispatchLayout: { x: [0], y: [1], z: [2] },
    dispatch: [Math.ceil(g.outC / 16), g.kH * g.kW, splits],
    variableNames: ['x', 'dy'],
    uniforms: `${intFields(FIELDS)} pixels : i32, chunk : i32,`,
    workgroupSize: [16, 16, 1],
    getUserCode: () => `
      var<workgroup> lanes : array<array<f32, 16>, 16>;
      fn main() {
        let o = i32(workgroupId.x) * 16 + i32(localId.x);
        let tap = i32(workgroupId.y);
        let kh = tap / uniforms.kW;
        let kw = tap % uniforms.kW;
        let ci = o / uniforms.mult;
        let start = i32(workgroupId.z) * uniforms.chunk;
        let end = min(uniforms.pixels, start + uniforms.chunk);
        var total = 0.0;
        if (o < uniforms.outC) {
          for (var r = start + i32(localId.y); r < end; r += 16) {
            let ow = r % uniforms.outW;
            let q = r / uniforms.outW;
            let oh = q % uniforms.outH;
            let b = q / uniforms.outH;
            let ih = oh * uniforms.strideH - uniforms.padTop + kh * uniforms.dilH;
            let iw = ow * uniforms.strideW - uniforms.padLeft + kw * uniforms.dilW;
            if (ih >= 0 && ih < uniforms.inH && iw >= 0 && iw < uniforms.inW) {
              total += x[((b * uniforms.inH + ih) * uniforms.inW + iw) * uniforms.inC + ci] * dy[r * uniforms.outC + o];
            }
          }
        }
        lanes[localId.y][localId.x] = total;
        workgroupBarrier();
        if (localId.y == 0u && o < uniforms.outC) {
          var sum = 0.0;
          for (var l = 0; l < 16; l++) { sum += lanes[l][localId.x]; }
          result[(i32(workgroupId.z) * uniforms.kH * uniforms.kW + tap) * uniforms.outC + o] = sum;
        }
      }`,
  };
}

export function depthwiseFilterGradWebgpu(args: KernelArgs): tf.TensorInfo {
  const backend = webgpuBackend(args);
  const { x, dy } = args.inputs;
  if (x === undefined || dy === undefined) throw new Error('DepthwiseConv2dNativeBackpropFilter needs x and dy');
  const a = args.attrs as unknown as FilterGradAttrs;
  const g = convGeometry(x.shape, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
  const pixels = g.batch * g.outH * g.outW;
  const splits = Math.min(Math.ceil(pixels / PIXELS_PER_SPLIT), 65535);
  const chunk = Math.ceil(pixels / splits);
  const uniforms = [...uniformsOf(g), ints(pixels), ints(chunk)];
  if (splits === 1) return backend.runWebGPUProgram(filterGradProgram([...a.filterShape], g, 1), [x, dy], 'float32', uniforms);
  const partials = backend.runWebGPUProgram(filterGradProgram([splits, g.kH * g.kW * g.outC], g, splits), [x, dy], 'float32', uniforms);
  return sumPartials(backend, partials, [...a.filterShape], splits);
}

export const depthwiseInputGradWebgpuConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'webgpu',
  kernelFunc: depthwiseInputGradWebgpu,
};

export const depthwiseFilterGradWebgpuConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'webgpu',
  kernelFunc: depthwiseFilterGradWebgpu,
};
