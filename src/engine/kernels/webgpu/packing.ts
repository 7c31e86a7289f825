// Packs many small tensors side by side into one GPU buffer and unpacks a packed result, with
// buffer-to-buffer copies in the backend's command encoder: no compute dispatch, no uniforms,
// no bind group, which is where tfjs-backend-webgpu spends a dispatch's 17 µs. A fused
// optimizer update of every small variable then takes one dispatch instead of one (or three)
// a variable. The backend fields used are tfjs-backend-webgpu 4.22's, typed here.
import type * as tf from '@tensorflow/tfjs';
import type { WebgpuBackendLike } from './program';

interface GpuBufferLike {
  size: number;
}

interface CommandEncoderLike {
  copyBufferToBuffer(source: GpuBufferLike, sourceOffset: number, destination: GpuBufferLike, destinationOffset: number, size: number): void;
}

interface BackendBuffers {
  tensorMap: { get(dataId: object): { resource: unknown } | undefined };
  uploadToGPU(dataId: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  commandEncoder: CommandEncoderLike;
  /** Tensors the unsubmitted commands use: their disposal waits for the submission. */
  commandQueueOwnedIds: WeakSet<object>;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

const FLOAT_BYTES = 4;

function buffers(backend: WebgpuBackendLike): BackendBuffers {
  const b = backend as unknown as Partial<BackendBuffers>;
  if (typeof b.uploadToGPU !== 'function' || typeof b.ensureCommandEncoderReady !== 'function' || typeof b.endComputePassEncoder !== 'function' || !(b.commandQueueOwnedIds instanceof WeakSet)) {
    throw new Error('tfjs-backend-webgpu no longer has uploadToGPU, ensureCommandEncoderReady, endComputePassEncoder or commandQueueOwnedIds, which kernels/webgpu/packing.ts relies on');
  }
  return b as BackendBuffers;
}

function bufferOf(b: BackendBuffers, info: tf.TensorInfo): GpuBufferLike {
  b.uploadToGPU(info.dataId);
  const resource = b.tensorMap.get(info.dataId)?.resource as GpuBufferLike | undefined;
  if (!resource || typeof resource.size !== 'number') throw new Error('a packed tensor is not in a GPU buffer');
  b.commandQueueOwnedIds.add(info.dataId);
  return resource;
}

/** An encoder outside any compute pass, for copies. */
function copyEncoder(b: BackendBuffers): CommandEncoderLike {
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  return b.commandEncoder;
}

/** Where each of `lengths` starts when packed side by side, and the total. */
export function packOffsets(lengths: readonly number[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const n of lengths) {
    offsets.push(total);
    total += n;
  }
  return { offsets, total };
}

/**
 * [rows.length, total]: row r holds rows[r]'s tensors side by side, at `offsets`. Every row
 * has the same tensors' lengths (a variable, its slots and its gradient).
 */
export function packRows(backend: WebgpuBackendLike, rows: tf.TensorInfo[][], offsets: readonly number[], total: number): tf.TensorInfo {
  const b = buffers(backend);
  const packed = b.makeTensorInfo([rows.length, total], 'float32');
  const target = bufferOf(b, packed);
  const sources = rows.map((row) => row.map((t) => bufferOf(b, t)));
  const encoder = copyEncoder(b);
  rows.forEach((row, r) => row.forEach((t, i) => {
    const length = t.shape.reduce((x, y) => x * y, 1);
    encoder.copyBufferToBuffer(sources[r]![i]!, 0, target, (r * total + offsets[i]!) * FLOAT_BYTES, length * FLOAT_BYTES);
  }));
  return packed;
}

/** Row `row` of a packed [rows, total] tensor, cut back into tensors of `shapes` at `offsets`. */
export function unpackRow(backend: WebgpuBackendLike, packed: tf.TensorInfo, row: number, shapes: readonly number[][], offsets: readonly number[], total: number): tf.TensorInfo[] {
  const b = buffers(backend);
  const source = bufferOf(b, packed);
  const outputs = shapes.map((shape) => b.makeTensorInfo([...shape], 'float32'));
  const targets = outputs.map((t) => bufferOf(b, t));
  const encoder = copyEncoder(b);
  shapes.forEach((shape, i) => {
    const length = shape.reduce((x, y) => x * y, 1);
    encoder.copyBufferToBuffer(source, (row * total + offsets[i]!) * FLOAT_BYTES, targets[i]!, 0, length * FLOAT_BYTES);
  });
  return outputs;
}
