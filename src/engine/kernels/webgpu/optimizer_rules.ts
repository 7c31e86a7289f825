// The update rules of the fused optimizers as WGSL over scalars, and the programs that apply
// them: one program per new tensor of one variable (optimizer_update.ts), or one program for
// the new value and every slot of many variables packed side by side (packing.ts). A rule reads
// `w` (the value), `g` (the gradient) and `old_<slot>` for each slot, and hands back the new
// value and slots; it never needs to know where one variable ends, so a packed update needs no
// table of offsets: the offsets live in the copies that pack and unpack.
import * as tf from '@tensorflow/tfjs';
import { elementwise, floats, type UniformData, type WgslProgram } from './program';

export interface UpdateRule {
  /** The slot inputs, in the order of the rule's outputs after the value. */
  slots: string[];
  /** One-value inputs every element reads (Adam's bias corrections). */
  scalars: string[];
  /** WGSL uniforms struct fields, and their values for the kernel's attributes. */
  uniforms: string;
  uniformData(attrs: Record<string, unknown>): UniformData[];
  /** WGSL that defines `let`s from w, g and old_<slot>. */
  prelude: string;
  /** The new value, then each new slot. */
  outputs: string[];
}

const num = (attrs: Record<string, unknown>, name: string): number => attrs[name] as number;

// 1 − β is computed in double precision on the CPU, as tfjs does: in f32 on the GPU, 1 − 0.999
// would be off by 1.3e-5 relative, since 0.999 has no exact f32.
export const ADAM_RULE: UpdateRule = {
  slots: ['firstMoment', 'secondMoment'],
  scalars: ['oneMinusAccBeta1', 'oneMinusAccBeta2'],
  uniforms: 'beta1 : f32, beta2 : f32, epsilon : f32, learningRate : f32, oneMinusBeta1 : f32, oneMinusBeta2 : f32,',
  uniformData: (a) => [floats(num(a, 'beta1')), floats(num(a, 'beta2')), floats(num(a, 'epsilon')), floats(num(a, 'learningRate')), floats(1 - num(a, 'beta1')), floats(1 - num(a, 'beta2'))],
  prelude: `
    let m = uniforms.beta1 * old_firstMoment + uniforms.oneMinusBeta1 * g;
    let v = uniforms.beta2 * old_secondMoment + uniforms.oneMinusBeta2 * g * g;
    let step = (m / oneMinusAccBeta1[0]) / (sqrt(v / oneMinusAccBeta2[0]) + uniforms.epsilon);`,
  outputs: ['w - uniforms.learningRate * step', 'm', 'v'],
};

/** Plain SGD: no slot, one new tensor. */
export const SGD_RULE: UpdateRule = {
  slots: [],
  scalars: [],
  uniforms: 'learningRate : f32,',
  uniformData: (a) => [floats(num(a, 'learningRate'))],
  prelude: '',
  outputs: ['w - uniforms.learningRate * g'],
};

export const MOMENTUM_RULE: UpdateRule = {
  slots: ['accumulation'],
  scalars: [],
  uniforms: 'momentum : f32, learningRate : f32, nesterov : i32,',
  uniformData: (a) => [floats(num(a, 'momentum')), floats(num(a, 'learningRate')), { type: 'int32', data: [a['nesterov'] ? 1 : 0] }],
  prelude: `
    let acc = old_accumulation * uniforms.momentum + g;
    let step = select(acc, g + acc * uniforms.momentum, uniforms.nesterov == 1);`,
  outputs: ['w - uniforms.learningRate * step', 'acc'],
};

/** Uncentred RMSprop, as tfjs's. */
export const RMSPROP_RULE: UpdateRule = {
  slots: ['meanSquare', 'moment'],
  scalars: [],
  uniforms: 'decay : f32, oneMinusDecay : f32, momentum : f32, epsilon : f32, learningRate : f32,',
  uniformData: (a) => [floats(num(a, 'decay')), floats(1 - num(a, 'decay')), floats(num(a, 'momentum')), floats(num(a, 'epsilon')), floats(num(a, 'learningRate'))],
  prelude: `
    let ms = uniforms.decay * old_meanSquare + uniforms.oneMinusDecay * g * g;
    let mom = uniforms.momentum * old_moment + g * uniforms.learningRate / sqrt(ms + uniforms.epsilon);`,
  outputs: ['w - mom', 'ms', 'mom'],
};

/** The inputs of one variable's update, in program order: value, slots, grad, scalars. */
export const ruleInputs = (rule: UpdateRule): string[] => ['value', ...rule.slots, 'grad', ...rule.scalars];

/** One new tensor (`output` 0 the value, 1… the slots) of one variable, one invocation per element. */
export function perVariableProgram(key: string, rule: UpdateRule, output: number, shape: number[]): WgslProgram {
  return elementwise(`${key}_${output}`, shape, ruleInputs(rule), rule.uniforms, `
    let w = value[index];
    let g = grad[index];
    ${rule.slots.map((s) => `let old_${s} = ${s}[index];`).join('\n    ')}
    ${rule.prelude}
    result[index] = ${rule.outputs[output]};`);
}

/**
 * The new value and slots of every variable packed in `packed` ([value, slots…, grad] rows of
 * `length` each): [outputs, length], one invocation per element of the output.
 */
export function packedProgram(key: string, rule: UpdateRule, length: number): WgslProgram {
  const rows = rule.slots.length + 2;
  const pick = rule.outputs.slice(1).map((e, i) => `if (row == ${i + 1}) { out = ${e}; }`).join('\n    ');
  return elementwise(`${key}_packed`, [rule.outputs.length, length], ['packed', ...rule.scalars], `${rule.uniforms} packedLength : i32,`, `
    let i = index % uniforms.packedLength;
    let row = index / uniforms.packedLength;
    let w = packed[i];
    ${rule.slots.map((s, k) => `let old_${s} = packed[${k + 1} * uniforms.packedLength + i];`).join('\n    ')}
    let g = packed[${rows - 1} * uniforms.packedLength + i];
    ${rule.prelude}
    var out = ${rule.outputs[0]};
    ${pick}
    result[index] = out;`);
}

export const sizeOf = (shape: readonly number[]): number => tf.util.sizeFromShape([...shape]);
