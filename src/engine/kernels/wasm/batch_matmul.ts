// BatchMatMul for wasm. The stock kernel reaches XNNPACK only for a single un-transposed
// product; anything transposed falls to a scalar blocked loop, and every dense layer's
// backward pass is transposed (dx = dy.W^T, dW = x^T.dy): 4.7 ms per LeNet-5 step. Transposing
// the operand first (a copy the size of the operand, not of the product) restores the fast path.
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from '../registry';
import { alloc, f32, release, runStock, wasmBackend, type BackendWasm } from './heap';

const BLOCK = 32;

/** out[c][r] = src[r][c] for a rows x cols matrix, in cache-sized tiles. */
export function transpose2d(src: Float32Array, out: Float32Array, rows: number, cols: number): void {
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(rows, r0 + BLOCK);
    for (let c0 = 0; c0 < cols; c0 += BLOCK) {
      const c1 = Math.min(cols, c0 + BLOCK);
      for (let r = r0; r < r1; r++) {
        for (let c = c0, i = r * cols + c0; c < c1; c++, i++) out[c * rows + r] = src[i]!;
      }
    }
  }
}

function transposed(backend: BackendWasm, t: tf.TensorInfo): tf.TensorInfo {
  const rank = t.shape.length;
  const rows = t.shape[rank - 2]!;
  const cols = t.shape[rank - 1]!;
  const out = alloc(backend, [...t.shape.slice(0, -2), cols, rows]);
  transpose2d(f32(backend, t), f32(backend, out), rows, cols);
  return out;
}

const batchOf = (t: tf.TensorInfo): number => tf.util.sizeFromShape(t.shape.slice(0, -2));

export function batchMatMulWasm(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args);
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  if (a === undefined || b === undefined) throw new Error('BatchMatMul needs a and b');
  const plain = !transposeA && !transposeB;
  const fastable = a.dtype === 'float32' && b.dtype === 'float32' && batchOf(a) === 1 && batchOf(b) === 1;
  if (plain || !fastable) return runStock(backend, tf.BatchMatMul, args.inputs, args.attrs);
  const a2 = transposeA ? transposed(backend, a) : a;
  const b2 = transposeB ? transposed(backend, b) : b;
  const out = runStock(backend, tf.BatchMatMul, { a: a2, b: b2 }, { transposeA: false, transposeB: false });
  if (a2 !== a) release(backend, a2);
  if (b2 !== b) release(backend, b2);
  return out;
}

export const batchMatMulWasmConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMulWasm,
};
