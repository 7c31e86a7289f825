// The contract between our WGSL programs and tfjs-backend-webgpu 4.22, typed here so the engine
// never imports that optional package: a program object in the shape its WebGPUProgram has,
// run through the backend's runWebGPUProgram, which declares the inputs (by variableNames, in
// that order), the output `result`, and a `uniforms` struct holding every input's shape
// (`xShape`, ...), `outShape` and the fields the program adds. The user code defines `main()`
// and reads `localId`, `localIndex` and `workgroupId` (private copies of the builtins).
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from '../registry';

export type UniformData = { type: 'int32' | 'uint32' | 'float32'; data: number[] };

export interface WgslProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  uniforms?: string;
  workgroupSize: [number, number, number];
  /** Adds `uniforms.size` (the output's length) for flat programs. */
  size?: boolean;
  getUserCode(): string;
}

export interface WebgpuBackendLike {
  runWebGPUProgram(program: WgslProgram, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: UniformData[], output?: tf.TensorInfo): tf.TensorInfo;
  device: { limits: { maxComputeWorkgroupsPerDimension: number } };
  disposeData(dataId: object, force?: boolean): boolean;
}

export function webgpuBackend(args: KernelArgs): WebgpuBackendLike {
  return args.backend as unknown as WebgpuBackendLike;
}

export const ints = (...data: number[]): UniformData => ({ type: 'int32', data });
export const floats = (...data: number[]): UniformData => ({ type: 'float32', data });

/** `name : i32,` for each name: the uniforms struct fields of a program's int parameters. */
export const intFields = (names: readonly string[]): string => names.map((n) => `${n} : i32,`).join(' ');

/** A program over every element of `outputShape`, one invocation each, in workgroups of 64. */
export function elementwise(key: string, outputShape: number[], variableNames: string[], uniforms: string, body: string): WgslProgram {
  const size = tf.util.sizeFromShape(outputShape);
  return {
    outputShape,
    shaderKey: key,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / 64), 1, 1],
    variableNames,
    uniforms,
    workgroupSize: [64, 1, 1],
    size: true,
    getUserCode: () => `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        ${body}
      }`,
  };
}
