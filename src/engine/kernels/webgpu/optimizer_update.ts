// Fused optimizer updates on WebGPU. tfjs's Adam spends about 14 elementwise dispatches on each
// variable a step (moments, bias corrections, square root, update), RMSprop about 10 and momentum
// about 5; here each new tensor (the moments and the value) is one program that reads the old
// ones and the gradient once, so Adam and RMSprop take 3 dispatches a variable, momentum 2. The optimizers
// (../../fused-optimizers.ts) call these by kernel name on the webgpu backend only; the new
// tensors replace the variables' data as tfjs's own assign() does, so saved optimizer state is
// unchanged.
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from '../registry';
import { elementwise, floats, webgpuBackend } from './program';

export const ADAM_UPDATE = 'ConvLabAdamUpdate';
export const MOMENTUM_UPDATE = 'ConvLabMomentumUpdate';
export const RMSPROP_UPDATE = 'ConvLabRmspropUpdate';

export interface RmspropUpdateAttrs {
  decay: number;
  momentum: number;
  epsilon: number;
  learningRate: number;
}

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

export interface MomentumUpdateAttrs {
  momentum: number;
  learningRate: number;
  nesterov: boolean;
}

// 1 − β is computed in double precision on the CPU, as tfjs does: in f32 on the GPU, 1 − 0.999
// would be off by 1.3e-5 relative, since 0.999 has no exact f32.
const ADAM_UNIFORMS = 'beta1 : f32, beta2 : f32, epsilon : f32, learningRate : f32, oneMinusBeta1 : f32, oneMinusBeta2 : f32,';
const FIRST_MOMENT = 'uniforms.beta1 * firstMoment[index] + uniforms.oneMinusBeta1 * grad[index]';
const SECOND_MOMENT = 'uniforms.beta2 * secondMoment[index] + uniforms.oneMinusBeta2 * grad[index] * grad[index]';

/** Inputs: value, firstMoment, secondMoment, grad, oneMinusAccBeta1, oneMinusAccBeta2 (1 value each); outputs: value, m, v. */
function adamUpdate(args: KernelArgs): tf.TensorInfo[] {
  const backend = webgpuBackend(args);
  const { value, firstMoment, secondMoment, grad, oneMinusAccBeta1, oneMinusAccBeta2 } = args.inputs;
  if (!value || !firstMoment || !secondMoment || !grad || !oneMinusAccBeta1 || !oneMinusAccBeta2) throw new Error(`${ADAM_UPDATE} needs value, firstMoment, secondMoment, grad and both bias corrections`);
  const a = args.attrs as unknown as AdamUpdateAttrs;
  const uniforms = [floats(a.beta1), floats(a.beta2), floats(a.epsilon), floats(a.learningRate), floats(1 - a.beta1), floats(1 - a.beta2)];
  // A pipeline's automatic layout leaves out inputs its shader never reads, so each program is
  // given exactly the inputs it reads.
  const run = (key: string, named: Record<string, tf.TensorInfo>, body: string) => backend.runWebGPUProgram(
    elementwise(key, [...value.shape], Object.keys(named), ADAM_UNIFORMS, body), Object.values(named), 'float32', uniforms);
  return [
    run('convlabAdamValue', { value, firstMoment, secondMoment, grad, oneMinusAccBeta1, oneMinusAccBeta2 }, `
    let m = ${FIRST_MOMENT};
    let v = ${SECOND_MOMENT};
    let step = (m / oneMinusAccBeta1[0]) / (sqrt(v / oneMinusAccBeta2[0]) + uniforms.epsilon);
    result[index] = value[index] - uniforms.learningRate * step;`),
    run('convlabAdamFirstMoment', { firstMoment, grad }, `result[index] = ${FIRST_MOMENT};`),
    run('convlabAdamSecondMoment', { secondMoment, grad }, `result[index] = ${SECOND_MOMENT};`),
  ];
}

/** Inputs: value, accumulation, grad; outputs: value, accumulation. */
function momentumUpdate(args: KernelArgs): tf.TensorInfo[] {
  const backend = webgpuBackend(args);
  const { value, accumulation, grad } = args.inputs;
  if (!value || !accumulation || !grad) throw new Error(`${MOMENTUM_UPDATE} needs value, accumulation and grad`);
  const a = args.attrs as unknown as MomentumUpdateAttrs;
  const uniforms = [floats(a.momentum), floats(a.learningRate)];
  const run = (key: string, named: Record<string, tf.TensorInfo>, body: string) => backend.runWebGPUProgram(
    elementwise(key, [...value.shape], Object.keys(named), 'momentum : f32, learningRate : f32,', `
    let g = grad[index];
    let acc = accumulation[index] * uniforms.momentum + g;
    ${body}`), Object.values(named), 'float32', uniforms);
  const step = a.nesterov ? '(g + acc * uniforms.momentum)' : 'acc';
  return [
    run(`convlabMomentumValue_${a.nesterov}`, { value, accumulation, grad }, `result[index] = value[index] - uniforms.learningRate * ${step};`),
    run('convlabMomentumAccumulation', { accumulation, grad }, 'result[index] = acc;'),
  ];
}

const RMS_UNIFORMS = 'decay : f32, oneMinusDecay : f32, momentum : f32, epsilon : f32, learningRate : f32,';
const MEAN_SQUARE = 'uniforms.decay * meanSquare[index] + uniforms.oneMinusDecay * grad[index] * grad[index]';
const MOMENT = `uniforms.momentum * moment[index] + grad[index] * uniforms.learningRate / sqrt(${MEAN_SQUARE} + uniforms.epsilon)`;

/** Uncentred RMSprop, as tfjs's. Inputs: value, meanSquare, moment, grad; outputs: value, meanSquare, moment. */
function rmspropUpdate(args: KernelArgs): tf.TensorInfo[] {
  const backend = webgpuBackend(args);
  const { value, meanSquare, moment, grad } = args.inputs;
  if (!value || !meanSquare || !moment || !grad) throw new Error(`${RMSPROP_UPDATE} needs value, meanSquare, moment and grad`);
  const a = args.attrs as unknown as RmspropUpdateAttrs;
  const uniforms = [floats(a.decay), floats(1 - a.decay), floats(a.momentum), floats(a.epsilon), floats(a.learningRate)];
  const run = (key: string, named: Record<string, tf.TensorInfo>, body: string) => backend.runWebGPUProgram(
    elementwise(key, [...value.shape], Object.keys(named), RMS_UNIFORMS, body), Object.values(named), 'float32', uniforms);
  return [
    run('convlabRmspropValue', { value, meanSquare, moment, grad }, `result[index] = value[index] - (${MOMENT});`),
    run('convlabRmspropMeanSquare', { meanSquare, grad }, `result[index] = ${MEAN_SQUARE};`),
    run('convlabRmspropMoment', { meanSquare, moment, grad }, `result[index] = ${MOMENT};`),
  ];
}

export const adamUpdateWebgpuConfig: tf.KernelConfig = { kernelName: ADAM_UPDATE, backendName: 'webgpu', kernelFunc: adamUpdate as unknown as tf.KernelFunc };
export const momentumUpdateWebgpuConfig: tf.KernelConfig = { kernelName: MOMENTUM_UPDATE, backendName: 'webgpu', kernelFunc: momentumUpdate as unknown as tf.KernelFunc };
export const rmspropUpdateWebgpuConfig: tf.KernelConfig = { kernelName: RMSPROP_UPDATE, backendName: 'webgpu', kernelFunc: rmspropUpdate as unknown as tf.KernelFunc };
