// Thin access to the wasm backend's tensor storage, so our kernels can fill buffers from JS
// and hand them to the backend's own XNNPACK kernels without copying through tfjs tensors.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { stockKernel, type KernelArgs } from '../registry';
import type { FlatIO, FlatKernel } from '../flat/io';
import { wasmHeapF32 } from '../../backends/tf-internals';

export type { BackendWasm };

export function wasmBackend(args: KernelArgs): BackendWasm {
  return args.backend as BackendWasm;
}

/** A new float32 tensor on the wasm heap; its contents are garbage until written. */
export function alloc(backend: BackendWasm, shape: number[]): tf.TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/**
 * A live view of a tensor's heap memory. Any allocation may grow (and so detach) the heap,
 * so take views only after the last alloc or kernel call that precedes the reads and writes.
 */
export function f32(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** The whole heap as floats; re-read after any allocation, which may replace it. */
export function heapF32(backend: BackendWasm): Float32Array {
  return wasmHeapF32(backend);
}

/** Where a tensor starts in the heap, in floats (for copyWithin on backend.wasm.HEAPF32). */
export function floatOffset(backend: BackendWasm, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('tensor is not on the wasm backend');
  return data.memoryOffset / 4;
}

export function release(backend: BackendWasm, ...ts: tf.TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/** The same storage read as another shape: only for inputs of kernels that write a new output. */
export function asShape(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Runs the wasm backend's own kernel (never ours), so compositions cannot recurse. */
export function runStock(
  backend: BackendWasm, kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const k = stockKernel(kernelName, 'wasm');
  if (k === undefined) throw new Error(`the wasm backend has no ${kernelName} kernel`);
  return k.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}

/**
 * Plain [m,k] x [k,n] product on XNNPACK (the only fast path of wasm's BatchMatMul). XNNPACK
 * packs `b` and caches the packing under b's tensor id until b is disposed, so `b` should be
 * a tensor the calling kernel allocated, not one whose storage others may reread reshaped.
 */
export function matmul(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number): tf.TensorInfo {
  return runStock(backend, tf.BatchMatMul, { a: asShape(a, [1, m, k]), b: asShape(b, [1, k, n]) },
    { transposeA: false, transposeB: false });
}

export function wasmIO(backend: BackendWasm): FlatIO {
  return {
    compute(inputs, outShape, body) {
      const out = alloc(backend, outShape);
      body(inputs.map((t) => backend.typedArrayFromHeap(t)), f32(backend, out));
      return out;
    },
  };
}

export function onWasm(kernelName: string, kernel: FlatKernel): tf.KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: (args: KernelArgs) => kernel(wasmIO(wasmBackend(args)), args) };
}
