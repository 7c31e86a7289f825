// One description of a 2-D convolution's index arithmetic, shared by every backward kernel,
// so that 'same', 'valid' and explicit padding all resolve exactly as tfjs's forward pass does.
import * as tf from '@tensorflow/tfjs';

export type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
export type Rounding = 'floor' | 'round' | 'ceil' | undefined;
export type Pair = number | [number, number];

export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  /** Output channels: for depthwise, inC times the channel multiplier. */
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
}

export type Shape4 = [number, number, number, number];

/** Attributes of Conv2DBackpropFilter. */
export interface FilterGradAttrs {
  strides: Pair;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: Rounding;
  filterShape: Shape4;
  /** tfjs never passes this (its conv2d gradient refuses dilation), but direct callers may. */
  dilations?: Pair;
}

/** Attributes of Conv2DBackpropInput. */
export interface InputGradAttrs {
  strides: Pair;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: Rounding;
  inputShape: Shape4;
  /** As for FilterGradAttrs. */
  dilations?: Pair;
}

export function convGeometry(
  xShape: readonly number[], filterShape: readonly number[], strides: Pair, dilations: Pair | undefined,
  pad: Pad, rounding: Rounding, depthwise: boolean,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as Shape4, filterShape as Shape4, strides, dilations ?? 1, pad, rounding, depthwise, 'channelsLast');
  return {
    batch: info.batchSize, inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, outC: info.outChannels,
    kH: info.filterHeight, kW: info.filterWidth,
    strideH: info.strideHeight, strideW: info.strideWidth,
    dilH: info.dilationHeight, dilW: info.dilationWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
    padBottom: info.padInfo.bottom, padRight: info.padInfo.right,
  };
}

/** The first and one-past-last output column whose tap `k` lands inside the input. */
export function validOutputRange(
  k: number, dil: number, stride: number, pad: number, inSize: number, outSize: number,
): [number, number] {
  const offset = k * dil - pad;
  const lo = Math.max(0, Math.ceil(-offset / stride));
  const hi = Math.min(outSize, Math.floor((inSize - 1 - offset) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}
