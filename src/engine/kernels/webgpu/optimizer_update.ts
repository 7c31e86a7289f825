// Fused optimizer updates on WebGPU. tfjs's Adam spends about 14 elementwise dispatches on each
// variable a step (moments, bias corrections, square root, update), RMSprop about 10, momentum
// about 5 and plain SGD 2; here each new tensor (the moments and the value) is one program that
// reads the old ones and the gradient once, so Adam and RMSprop take 3 dispatches a variable,
// momentum 2, SGD 1. The
// packed kernels update many small variables at once: they are copied side by side into one
// buffer (packing.ts), one program computes every new value and slot, and copies cut the result
// back, so a batchnorm network's hundred small gammas, betas and biases take one dispatch. The
// optimizers (../../training/fused-optimizers.ts) call these by kernel name on the webgpu backend
// only; the new tensors replace the variables' data as tfjs's own assign() does, so saved
// optimizer state is unchanged.
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from '../registry';
import { ADAM_RULE, MOMENTUM_RULE, packedProgram, perVariableProgram, RMSPROP_RULE, ruleInputs, SGD_RULE, sizeOf, type UpdateRule } from './optimizer_rules';
import { packOffsets, packRows, unpackRow } from './packing';
import { ints, webgpuBackend } from './program';

export const SGD_UPDATE = 'ConvLabSgdUpdate';
export const ADAM_UPDATE = 'ConvLabAdamUpdate';
export const MOMENTUM_UPDATE = 'ConvLabMomentumUpdate';
export const RMSPROP_UPDATE = 'ConvLabRmspropUpdate';

/** The packed kernels' names: the per-variable name with this suffix. */
export const PACKED = 'Packed';

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

/** Inputs named as ruleInputs(rule); outputs the new value, then the new slots. */
function perVariable(kernelName: string, rule: UpdateRule): tf.KernelFunc {
  return ((args: KernelArgs): tf.TensorInfo[] => {
    const backend = webgpuBackend(args);
    const names = ruleInputs(rule);
    const inputs = names.map((n) => args.inputs[n]);
    if (inputs.some((t) => t === undefined)) throw new Error(`${kernelName} needs ${names.join(', ')}`);
    const uniforms = rule.uniformData(args.attrs as Record<string, unknown>);
    const shape = [...inputs[0]!.shape];
    return rule.outputs.map((_, k) => backend.runWebGPUProgram(perVariableProgram(kernelName, rule, k, shape), inputs as tf.TensorInfo[], 'float32', uniforms));
  }) as unknown as tf.KernelFunc;
}

/**
 * Inputs `<name><i>` for each of ruleInputs(rule) but the scalars and i < attrs.count, and the
 * scalars once; outputs, for each variable in turn, its new value then its new slots.
 */
function packed(kernelName: string, rule: UpdateRule): tf.KernelFunc {
  return ((args: KernelArgs): tf.TensorInfo[] => {
    const backend = webgpuBackend(args);
    const count = (args.attrs as { count: number }).count;
    const perVar = ['value', ...rule.slots, 'grad'];
    const rows = perVar.map((n) => Array.from({ length: count }, (_, i) => {
      const t = args.inputs[`${n}${i}`];
      if (t === undefined) throw new Error(`${kernelName}: no ${n}${i} among the ${count} variables`);
      return t;
    }));
    const scalars = rule.scalars.map((n) => args.inputs[n]);
    if (scalars.some((t) => t === undefined)) throw new Error(`${kernelName} needs ${rule.scalars.join(', ')}`);
    const shapes = rows[0]!.map((t) => [...t.shape]);
    const { offsets, total } = packOffsets(shapes.map(sizeOf));
    const packedInputs = packRows(backend, rows, offsets, total);
    const uniforms = [...rule.uniformData(args.attrs as Record<string, unknown>), ints(total)];
    const result = backend.runWebGPUProgram(packedProgram(kernelName, rule, total), [packedInputs, ...scalars as tf.TensorInfo[]], 'float32', uniforms);
    backend.disposeData(packedInputs.dataId);
    const outputs = rule.outputs.map((_, k) => unpackRow(backend, result, k, shapes, offsets, total));
    backend.disposeData(result.dataId);
    return shapes.flatMap((_, i) => outputs.map((row) => row[i]!));
  }) as unknown as tf.KernelFunc;
}

const configs = (kernelName: string, rule: UpdateRule): tf.KernelConfig[] => [
  { kernelName, backendName: 'webgpu', kernelFunc: perVariable(kernelName, rule) },
  { kernelName: kernelName + PACKED, backendName: 'webgpu', kernelFunc: packed(kernelName, rule) },
];

export const optimizerUpdateWebgpuConfigs: tf.KernelConfig[] = [
  ...configs(SGD_UPDATE, SGD_RULE),
  ...configs(ADAM_UPDATE, ADAM_RULE),
  ...configs(MOMENTUM_UPDATE, MOMENTUM_RULE),
  ...configs(RMSPROP_UPDATE, RMSPROP_RULE),
];
