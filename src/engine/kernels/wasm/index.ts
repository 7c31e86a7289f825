// What the wasm backend needs before it can train (or train at a useful speed), with the reason
// for each; see each module's header for how it is computed.
import * as tf from '@tensorflow/tfjs';
// The wasm package registers its kernels on import; it must do so before ours replace some of
// them, or its registration would later overwrite ours.
import '@tensorflow/tfjs-backend-wasm';
import { avgPoolGradKernel, maxPoolGradKernel } from '../flat/pool_grad';
import { batchMatMulWasmConfig } from './batch_matmul';
import { conv2dBackpropFilterWasmConfig } from './conv2d_backprop_filter';
import { conv2dBackpropInputWasmConfig } from './conv2d_backprop_input';
import { onWasm } from './heap';
import { tanhWasmConfig } from './tanh';
import { depthwiseFilterGradWasmConfig, depthwiseInputGradWasmConfig } from './depthwise';

export const wasmKernels: readonly tf.KernelConfig[] = [
  // Missing on wasm: every conv layer's weight gradient.
  conv2dBackpropFilterWasmConfig,
  // Missing on wasm: depthwise and separable conv layers' gradients.
  depthwiseFilterGradWasmConfig,
  depthwiseInputGradWasmConfig,
  // Present but a scalar loop (16 of 42 ms per LeNet-5 step) that ignores dilation.
  conv2dBackpropInputWasmConfig,
  // Present but scalar whenever an operand is transposed, as in every dense layer's backward pass.
  batchMatMulWasmConfig,
  // Present but scalar std::tanh: 4.4 ms per LeNet-5 step.
  tanhWasmConfig,
  // Present but walk every input pixel against every window (2.6 and 5.2 ms per LeNet step).
  onWasm(tf.AvgPoolGrad, avgPoolGradKernel),
  onWasm(tf.MaxPoolGrad, maxPoolGradKernel),
];
