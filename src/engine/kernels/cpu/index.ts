// The JS backend has every training kernel; these replace the ones that index tensors through
// TensorBuffer.get per multiply-add.
import * as tf from '@tensorflow/tfjs';
import { avgPoolGradKernel, maxPoolGradKernel } from '../flat/pool_grad';
import { depthwiseFilterGradKernel, depthwiseInputGradKernel } from '../flat/depthwise_grad';
import { conv2dBackpropFilterCpuConfig } from './conv2d_backprop_filter';
import { onCpu } from './io';

export const cpuKernels: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterCpuConfig,
  onCpu(tf.AvgPoolGrad, avgPoolGradKernel),
  onCpu(tf.MaxPoolGrad, maxPoolGradKernel),
  onCpu(tf.DepthwiseConv2dNativeBackpropFilter, depthwiseFilterGradKernel),
  onCpu(tf.DepthwiseConv2dNativeBackpropInput, depthwiseInputGradKernel),
];
