// Conv2DBackpropInput on WebGPU as an implicit GEMM (gemm.ts), split by stride phase so that no
// multiply-add is spent on a zero. Input pixels with ih ≡ ph (mod sh) and iw ≡ pw (mod sw) are
// reached only by the taps kh ≡ (ph + top) (mod sh), kw ≡ (pw + left) (mod sw); for each phase
// (the dispatch's z) dx[(b,i,j), ci] = Σ over (t,u,co) of dy[b, i + baseH − t, j + baseW − u, co]
// · W[kh0 + t·sh, kw0 + u·sw, ci, co], a dense GEMM with 1/(sh·sw) of the taps. At stride 1 there
// is one phase and this is the plain transposed convolution. Dilation never reaches this
// kernel (tfjs refuses dilated gradients; the engine spreads dilated kernels, dilated.ts), so a
// dilated call goes to tfjs's own kernel.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type InputGradAttrs } from '../geometry';
import { stockKernel, type KernelArgs } from '../registry';
import { gemmSource, gemmWorkgroup, STEP, tileFor } from './gemm';
import { intFields, ints, webgpuBackend } from './program';

const FIELDS = ['batch', 'inH', 'inW', 'inC', 'outH', 'outW', 'outC', 'kH', 'kW', 'strideH', 'strideW', 'padTop', 'padLeft'];

/** Per-phase values every function derives from workgroupId.z and the uniforms. */
const PHASE = `
  struct Phase { ph : i32, pw : i32, kh0 : i32, kw0 : i32, nKh : i32, nKw : i32, nI : i32, nJ : i32, baseH : i32, baseW : i32, rows : i32, depth : i32 };
  fn phase() -> Phase {
    var p : Phase;
    let z = i32(workgroupId.z);
    p.ph = z / uniforms.strideW;
    p.pw = z % uniforms.strideW;
    p.kh0 = (p.ph + uniforms.padTop) % uniforms.strideH;
    p.kw0 = (p.pw + uniforms.padLeft) % uniforms.strideW;
    p.nKh = max(0, (uniforms.kH - p.kh0 + uniforms.strideH - 1) / uniforms.strideH);
    p.nKw = max(0, (uniforms.kW - p.kw0 + uniforms.strideW - 1) / uniforms.strideW);
    p.nI = max(0, (uniforms.inH - p.ph + uniforms.strideH - 1) / uniforms.strideH);
    p.nJ = max(0, (uniforms.inW - p.pw + uniforms.strideW - 1) / uniforms.strideW);
    p.baseH = (p.ph + uniforms.padTop - p.kh0) / uniforms.strideH;
    p.baseW = (p.pw + uniforms.padLeft - p.kw0) / uniforms.strideW;
    p.rows = uniforms.batch * p.nI * p.nJ;
    p.depth = p.nKh * p.nKw * uniforms.outC;
    return p;
  }`;

const FUNCTIONS = `${PHASE}
  var<private> ph : Phase;
  fn loadA(m : i32, r : i32) -> f32 {
    if (m >= ph.rows || r >= ph.depth) { return 0.0; }
    let co = r % uniforms.outC;
    let q = r / uniforms.outC;
    let u = q % ph.nKw;
    let t = q / ph.nKw;
    let j = m % ph.nJ;
    let q2 = m / ph.nJ;
    let i = q2 % ph.nI;
    let b = q2 / ph.nI;
    let oh = i + ph.baseH - t;
    let ow = j + ph.baseW - u;
    if (oh < 0 || oh >= uniforms.outH || ow < 0 || ow >= uniforms.outW) { return 0.0; }
    return dy[((b * uniforms.outH + oh) * uniforms.outW + ow) * uniforms.outC + co];
  }
  fn loadB(r : i32, n : i32) -> f32 {
    if (r >= ph.depth || n >= uniforms.inC) { return 0.0; }
    let co = r % uniforms.outC;
    let q = r / uniforms.outC;
    let kw = ph.kw0 + (q % ph.nKw) * uniforms.strideW;
    let kh = ph.kh0 + (q / ph.nKw) * uniforms.strideH;
    return W[((kh * uniforms.kW + kw) * uniforms.inC + n) * uniforms.outC + co];
  }
  fn store(m : i32, n : i32, v : f32) {
    if (m >= ph.rows || n >= uniforms.inC) { return; }
    let j = m % ph.nJ;
    let q = m / ph.nJ;
    let ih = ph.ph + (q % ph.nI) * uniforms.strideH;
    let iw = ph.pw + j * uniforms.strideW;
    result[((q / ph.nI * uniforms.inH + ih) * uniforms.inW + iw) * uniforms.inC + n] = v;
  }`;

export function conv2dBackpropInputWebgpu(args: KernelArgs): tf.TensorInfo {
  const backend = webgpuBackend(args);
  const { dy, filter } = args.inputs;
  const a = args.attrs as unknown as InputGradAttrs;
  if (dy === undefined || filter === undefined) throw new Error('Conv2DBackpropInput needs dy and filter');
  if (a.dataFormat === 'NCHW') throw new Error('the WebGPU Conv2DBackpropInput supports NHWC only, as the engine builds every model');
  const g = convGeometry(a.inputShape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false);
  const rows = g.batch * Math.ceil(g.inH / g.strideH) * Math.ceil(g.inW / g.strideW);
  const tile = tileFor(rows, g.inC);
  const dispatch: [number, number, number] = [Math.ceil(g.inC / tile.n), Math.ceil(rows / tile.m), g.strideH * g.strideW];
  if (g.dilH > 1 || g.dilW > 1 || dispatch.some((d) => d > backend.device.limits.maxComputeWorkgroupsPerDimension)) {
    return stockKernel(tf.Conv2DBackpropInput, 'webgpu')!.kernelFunc(args) as tf.TensorInfo;
  }
  const program = {
    outputShape: [...a.inputShape],
    shaderKey: `convlabConv2DInputGrad_${tile.m}_${tile.n}`,
    dispatchLayout: { x: [0], y: [1], z: [2] },
    dispatch,
    variableNames: ['dy', 'W'],
    uniforms: intFields(FIELDS),
    workgroupSize: gemmWorkgroup,
    getUserCode: () => gemmSource({
      aAlong: 'r',
      bAlong: 'r',
      prologue: `
        ph = phase();
        let rStart = 0;
        if (li == 0) { stepCount = (ph.depth + ${STEP - 1}) / ${STEP}; }`,
      functions: FUNCTIONS,
    }, tile),
  };
  const uniforms = [g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.outC, g.kH, g.kW, g.strideH, g.strideW, g.padTop, g.padLeft].map((v) => ints(v));
  return backend.runWebGPUProgram(program, [dy, filter], 'float32', uniforms);
}

export const conv2dBackpropInputWebgpuConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'webgpu',
  kernelFunc: conv2dBackpropInputWebgpu,
};
