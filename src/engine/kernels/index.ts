// Training kernels that tfjs lacks or runs slowly, registered per backend by kernel name, so
// the engine trains on stock tfjs without a fork. Which kernel exists for which reason is in
// the per-backend lists (wasm/index.ts, cpu/index.ts, webgpu/index.ts).
import * as tf from '@tensorflow/tfjs';
import { install, stockKernel, uninstallAll } from './registry';
import { cpuKernels } from './cpu/index';
import { wasmKernels } from './wasm/index';
import { webgpuGradients, webgpuKernels } from './webgpu/index';

export type TrainingBackend = 'wasm' | 'cpu' | 'webgpu';

const KERNELS: Record<TrainingBackend, readonly tf.KernelConfig[]> = { wasm: wasmKernels, cpu: cpuKernels, webgpu: webgpuKernels };
const GRADIENTS: Record<TrainingBackend, readonly tf.GradConfig[]> = { wasm: [], cpu: [], webgpu: webgpuGradients };

/** Registers our kernels for `backendName`; returns the names newly registered (none on a repeat call). */
export function registerTrainingKernels(backendName: TrainingBackend): string[] {
  // Gradients are global in tfjs (not per backend); ours belong to kernels only we define.
  for (const g of GRADIENTS[backendName]) if (tf.getGradient(g.kernelName) === undefined) tf.registerGradient(g);
  return KERNELS[backendName].filter((c) => install(c)).map((c) => c.kernelName);
}

/** Restores tfjs's own kernels for `backendName` (for comparisons and tests). */
export function unregisterTrainingKernels(backendName: TrainingBackend): string[] {
  return uninstallAll(backendName);
}

export { stockKernel };
export { patchLimits } from './wasm/conv2d_backprop_filter';
