// Tanh for wasm. The stock kernel calls scalar std::tanh (about 15 ns an element, 4.4 ms of a
// Keras LeNet-5 step); tanh(x) = 2*sigmoid(2x) - 1 on XNNPACK's vectorised sigmoid costs a
// fraction of that. Its absolute error is about 1e-7 everywhere, so values of tanh far below
// that lose relative precision, as with tfjs's WebGL formula; activations that small carry no
// signal a float32 network could use.
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from '../registry';
import { alloc, f32, release, runStock, wasmBackend } from './heap';

export function twiceMinusOne(s: Float32Array, out: Float32Array): void {
  const n = s.length;
  for (let i = 0; i < n; i++) out[i] = 2 * s[i]! - 1;
}

export function tanhWasm(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args);
  const x = args.inputs.x;
  if (x === undefined) throw new Error('Tanh needs x');
  if (x.dtype !== 'float32') return runStock(backend, tf.Tanh, args.inputs);
  const twice = runStock(backend, tf.Add, { a: x, b: x });
  const s = runStock(backend, tf.Sigmoid, { x: twice });
  release(backend, twice);
  const out = alloc(backend, x.shape);
  twiceMinusOne(f32(backend, s), f32(backend, out));
  release(backend, s);
  return out;
}

export const tanhWasmConfig: tf.KernelConfig = { kernelName: tf.Tanh, backendName: 'wasm', kernelFunc: tanhWasm };
