// The gradient of batchnorm.ts's training forward pass on WebGPU, in two passes over the batch:
//   1. per-channel partial sums of dy and dy · (x − mean) over chunks of rows (as the forward
//      statistics are split), then each summed over the splits: dOffset = Σ dy and
//      dScale = Σ dy · x̂ (x̂ = (x − mean) / σ), one small program each, as each is a tensor of its own;
//   2. dx = scale / σ · (dy − dOffset / N − x̂ · dScale / N), one invocation per element,
// which is the exact gradient through the batch's mean and variance (stock tfjs reaches it
// through moments' and batchNorm's composed gradients, a couple of dozen dispatches).
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from '../registry';
import { BATCHNORM_TRAIN, planRowSplit, ROW_SPLIT_FIELDS, rowPartialsProgram, rowSplitUniforms, type BatchNormTrainAttrs } from './batchnorm';
import { elementwise, floats, ints, webgpuBackend } from './program';

export const BATCHNORM_GRAD = 'ConvLabBatchNormGrad';

const FIELDS = `${ROW_SPLIT_FIELDS} epsilon : f32,`;

/** Inputs x, scale, stats ([2, C] from the forward pass), dy; outputs dx, dScale, dOffset. */
function batchNormGrad(args: KernelArgs): tf.TensorInfo[] {
  const backend = webgpuBackend(args);
  const { x, scale, stats, dy } = args.inputs;
  if (!x || !scale || !stats || !dy) throw new Error(`${BATCHNORM_GRAD} needs x, scale, stats and dy`);
  const { epsilon } = args.attrs as unknown as BatchNormTrainAttrs;
  const split = planRowSplit(x.shape);
  const uniforms = [...rowSplitUniforms(split), floats(epsilon)];
  const partials = backend.runWebGPUProgram(rowPartialsProgram('convlabBatchNormGradPartials', split, ['x', 'stats', 'dy'], {
    init: `var lane0 = 0.0; var lane1 = 0.0; let mean = stats[min(c, uniforms.channels - 1)];`,
    perRow: `
            let at = r * uniforms.channels + c;
            let g = dy[at];
            lane0 += g;
            lane1 += g * (x[at] - mean);`,
    slots: ['sumDy', 'sumDyCentred'],
    merge: `
            sumDy[0][lx] += sumDy[l][lx];
            sumDyCentred[0][lx] += sumDyCentred[l][lx];`,
    write: ['sumDy[0][lx]', 'sumDyCentred[0][lx]'],
  }), [x, stats, dy], 'float32', uniforms);
  // Row 0 of the partials sums to dOffset; row 1, times 1/σ, to dScale.
  const reduce = (row: number) => backend.runWebGPUProgram(elementwise('convlabBatchNormGradSum', [split.channels], ['partials', 'stats'], `${FIELDS} row : i32,`, `
    var total = 0.0;
    for (var s = 0; s < uniforms.splits; s++) { total += partials[(s * 2 + uniforms.row) * uniforms.channels + index]; }
    let invStd = inverseSqrt(stats[uniforms.channels + index] + uniforms.epsilon);
    result[index] = select(total, total * invStd, uniforms.row == 1);`), [partials, stats], 'float32', [...uniforms, ints(row)]);
  const dOffset = reduce(0);
  const dScale = reduce(1);
  backend.disposeData(partials.dataId);
  const dxProgram = elementwise('convlabBatchNormGradInput', [...x.shape], ['x', 'stats', 'scale', 'dy', 'dScale', 'dOffset'], FIELDS, `
    let c = index % uniforms.channels;
    let invStd = inverseSqrt(stats[uniforms.channels + c] + uniforms.epsilon);
    let n = f32(uniforms.rows);
    let centred = (x[index] - stats[c]) * invStd;
    result[index] = scale[c] * invStd * (dy[index] - dOffset[c] / n - centred * dScale[c] / n);`);
  const dx = backend.runWebGPUProgram(dxProgram, [x, stats, scale, dy, dScale, dOffset], 'float32', uniforms);
  return [dx, dScale, dOffset];
}

export const batchNormGradWebgpuConfig: tf.KernelConfig = { kernelName: BATCHNORM_GRAD, backendName: 'webgpu', kernelFunc: batchNormGrad as unknown as tf.KernelFunc };

/** Ties the forward kernel to this one for tfjs's autodiff; the stats output carries no gradient. */
export const batchNormTrainGradConfig: tf.GradConfig = {
  kernelName: BATCHNORM_TRAIN,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = Array.isArray(dys) ? dys[0]! : dys;
    const [x, scale, stats] = saved;
    // All three at once (one pass over the batch serves them), outside the per-input tidy
    // that tfjs wraps each gradient function in, which would dispose the other two.
    const [dx, dScale, dOffset] = tf.engine().runKernel(BATCHNORM_GRAD, { x: x!, scale: scale!, stats: stats!, dy }, attrs) as tf.Tensor[];
    return { x: () => dx!, scale: () => dScale!, offset: () => dOffset! };
  },
};
