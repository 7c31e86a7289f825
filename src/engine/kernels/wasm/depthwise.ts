// Depthwise convolution gradients for wasm, which has neither. The input gradient is itself a
// depthwise convolution (of dy spread by the stride, with each channel's filter rotated 180
// degrees), run on XNNPACK, then summed over the channel multiplier. The filter gradient is a
// per-channel correlation with no product form XNNPACK offers, so it runs as a flat JS loop.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type ConvGeometry } from '../geometry';
import { depthwiseFilterGradKernel, type DepthwiseGradAttrs } from '../flat/depthwise_grad';
import type { KernelArgs } from '../registry';
import { convolveSpread } from './conv2d_backprop_input';
import { alloc, asShape, f32, onWasm, release, runStock, wasmBackend } from './heap';

/** [kh, kw, c, j] to [kH-1-kh, kW-1-kw, c*mult + j, 1]: a plain per-channel flip. */
function rotateDepthwise(w: Float32Array, out: Float32Array, g: ConvGeometry): void {
  const taps = g.kH * g.kW;
  const ch = g.outC;
  for (let t = 0; t < taps; t++) out.set(w.subarray(t * ch, (t + 1) * ch), (taps - 1 - t) * ch);
}

export function depthwiseInputGradWasm(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args);
  const { dy, filter } = args.inputs;
  const a = args.attrs as unknown as DepthwiseGradAttrs & { inputShape: [number, number, number, number] };
  if (dy === undefined || filter === undefined) throw new Error('DepthwiseConv2dNativeBackpropInput needs dy and filter');
  const g = convGeometry(a.inputShape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
  const rotated = alloc(backend, [g.kH, g.kW, g.outC, 1]);
  rotateDepthwise(f32(backend, filter), f32(backend, rotated), g);
  const perOutput = convolveSpread(backend, dy, rotated, g, tf.DepthwiseConv2dNative);
  release(backend, rotated);
  const mult = g.outC / g.inC;
  if (mult === 1) return { dataId: perOutput.dataId, shape: a.inputShape, dtype: 'float32' };
  const split = asShape(perOutput, [g.batch, g.inH, g.inW, g.inC, mult]);
  const dx = runStock(backend, tf.Sum, { x: split }, { axis: [4], keepDims: false });
  release(backend, perOutput);
  return dx;
}

export const depthwiseInputGradWasmConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseInputGradWasm,
};

export const depthwiseFilterGradWasmConfig = onWasm(tf.DepthwiseConv2dNativeBackpropFilter, depthwiseFilterGradKernel);
