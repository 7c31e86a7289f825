// Our WebGPU kernels for the training hot path, each replacing a tfjs-backend-webgpu 4.22 kernel
// that runs far below the card's rate (measured on an H200, ../../../shared/tools/gpu-probe):
import type * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWebgpuConfig } from './conv2d_backprop_filter';
import { conv2dBackpropInputWebgpuConfig } from './conv2d_backprop_input';
import { depthwiseFilterGradWebgpuConfig, depthwiseInputGradWebgpuConfig } from './depthwise_grad';
import { optimizerUpdateWebgpuConfigs } from './optimizer_update';
import { avgPoolGradWebgpuConfig, maxPoolGradWebgpuConfig } from './pool_grad';
import { batchNormTrainWebgpuConfig, movingAverageWebgpuConfig } from './batchnorm';
import { batchNormGradWebgpuConfig, batchNormTrainGradConfig } from './batchnorm_grad';

export const webgpuKernels: readonly tf.KernelConfig[] = [
  // Stock: a naive loop per weight, 28 to 521 GFLOP/s, 10 to 50 times slower than the forward conv.
  conv2dBackpropFilterWebgpuConfig,
  // Stock: a GEMM that multiplies the zeros of the strided gaps too, 41 to 636 GFLOP/s.
  conv2dBackpropInputWebgpuConfig,
  // Stock: one invocation per weight looping over the whole batch, and a naive gather.
  depthwiseFilterGradWebgpuConfig,
  depthwiseInputGradWebgpuConfig,
  // Stock max pooling takes two programs (positions, then gradient); average pooling divides by
  // the full window where the forward pass divided by the pixels covered.
  avgPoolGradWebgpuConfig,
  maxPoolGradWebgpuConfig,
  // New: Adam, momentum and RMSprop updates in 3, 2 and 3 dispatches a variable instead of about
  // 14, 5 and 10, and every small variable of a step packed into one dispatch.
  ...optimizerUpdateWebgpuConfigs,
  // New: batchnorm in training, 3 dispatches forward (+1 per moving statistic) and 4 backward,
  // where stock tfjs composes it from moments, batchNorm and their gradients (about 40 a layer).
  batchNormTrainWebgpuConfig,
  movingAverageWebgpuConfig,
  batchNormGradWebgpuConfig,
];

/** The gradients of our own (non-stock) webgpu kernels, for tfjs's autodiff. */
export const webgpuGradients: readonly tf.GradConfig[] = [batchNormTrainGradConfig];
