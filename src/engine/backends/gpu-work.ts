// Counts what a piece of work asks of the GPU through tfjs-backend-webgpu: compute dispatches,
// read-backs (buffer copies mapped for the CPU to read) and queue submissions. On a big GPU a
// training step of small kernels is bound by these, not by arithmetic (17 µs a dispatch, 33 µs
// a read-back round trip on an H200), so the benchmark prints them and a test keeps them from
// growing. It wraps the backend instance's own methods for the duration of one call.
import { tf } from './tf';

export interface GpuWork {
  dispatches: number;
  readBacks: number;
  submits: number;
  /** Buffer-to-buffer copies (uploads, read-backs, packing): cheap next to a dispatch, but not free. */
  copies: number;
}

interface CountedBackend {
  recordAndSubmit(...args: unknown[]): unknown;
  getBufferData(...args: unknown[]): Promise<unknown>;
  submitQueue(...args: unknown[]): unknown;
}

/** Runs `work` on the active webgpu backend and returns its result with what it dispatched and read back. */
export async function countGpuWork<T>(work: () => Promise<T>): Promise<{ result: T; work: GpuWork }> {
  if (tf.getBackend() !== 'webgpu') throw new Error(`countGpuWork needs the webgpu backend, not ${tf.getBackend()}`);
  const backend = tf.backend() as unknown as CountedBackend;
  const counts: GpuWork = { dispatches: 0, readBacks: 0, submits: 0, copies: 0 };
  // Dawn's encoder class, which select-backend puts on the global object with the other WebGPU classes.
  const encoder = (globalThis as { GPUCommandEncoder?: { prototype: { copyBufferToBuffer(...args: unknown[]): unknown } } }).GPUCommandEncoder?.prototype;
  const copy = encoder?.copyBufferToBuffer;
  if (encoder && copy) {
    encoder.copyBufferToBuffer = function (...args) {
      counts.copies++;
      return copy.apply(this, args);
    };
  }
  const original = { recordAndSubmit: backend.recordAndSubmit, getBufferData: backend.getBufferData, submitQueue: backend.submitQueue };
  backend.recordAndSubmit = function (...args) {
    counts.dispatches++;
    return original.recordAndSubmit.apply(this, args);
  };
  backend.getBufferData = function (...args) {
    counts.readBacks++;
    return original.getBufferData.apply(this, args);
  };
  backend.submitQueue = function (...args) {
    counts.submits++;
    return original.submitQueue.apply(this, args);
  };
  try {
    return { result: await work(), work: counts };
  } finally {
    Object.assign(backend, original);
    if (encoder && copy) encoder.copyBufferToBuffer = copy;
  }
}
