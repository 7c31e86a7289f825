// The one thing a flat-array kernel needs from a backend: read its inputs as arrays and give it
// a float32 output to fill. Each backend supplies this once (cpu/io.ts, wasm/heap.ts), so the
// loop code in flat/ is written once and runs on both.
import type * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from '../registry';

export interface FlatIO {
  /** Allocates the output, then calls `body` with the inputs' and output's values. */
  compute(
    inputs: readonly tf.TensorInfo[], outShape: number[],
    body: (ins: ArrayLike<number>[], out: Float32Array) => void,
  ): tf.TensorInfo;
}

export type FlatKernel = (io: FlatIO, args: KernelArgs) => tf.TensorInfo;

export function input(args: KernelArgs, name: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new Error(`missing input '${name}'`);
  return t;
}
