// Our WebGPU kernels for the training hot path, each replacing a tfjs-backend-webgpu 4.22 kernel
// that runs far below the card's rate (measured on an H200, ../../../shared/tools/gpu-probe):
import type * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWebgpuConfig } from './conv2d_backprop_filter';
import { conv2dBackpropInputWebgpuConfig } from './conv2d_backprop_input';

export const webgpuKernels: readonly tf.KernelConfig[] = [
  // Stock: a naive loop per weight, 28 to 521 GFLOP/s, 10 to 50 times slower than the forward conv.
  conv2dBackpropFilterWebgpuConfig,
  // Stock: a GEMM that multiplies the zeros of the strided gaps too, 41 to 636 GFLOP/s.
  conv2dBackpropInputWebgpuConfig,
];
