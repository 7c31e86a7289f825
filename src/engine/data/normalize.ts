// Pixel normalisation: 'unit' maps bytes to [0, 1]; mean/std (given on the [0, 1] scale, as
// torchvision writes them) then standardises each channel; `bgr` also reverses RGB, as Caffe
// and Keras' VGG16 and ResNet50 expect.

export type Normalization = 'unit' | { mean: number[]; std: number[]; bgr?: boolean };

/** Keras' `preprocess_input` in caffe mode: BGR, minus the ImageNet mean in bytes, unscaled. */
export const CAFFE_NORMALIZATION: Normalization = { mean: [103.939 / 255, 116.779 / 255, 123.68 / 255], std: [1 / 255], bgr: true };

/** Keras' `preprocess_input` in tf mode (MobileNetV2, InceptionV3): [−1, 1]. */
export const SIGNED_UNIT_NORMALIZATION: Normalization = { mean: [0.5], std: [0.5] };

/** Which source channel feeds each output channel: reversed for BGR colour images. */
export function channelSources(normalization: Normalization, channels: number): number[] {
  const order = Array.from({ length: channels }, (_, c) => c);
  return normalization !== 'unit' && normalization.bgr && channels === 3 ? order.reverse() : order;
}

export const IMAGENET_NORMALIZATION: Normalization = {
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

/** value = byte of source channel `source[c]` * scale[c] + offset[c], one entry per channel. */
export interface ChannelAffine {
  scale: Float64Array;
  offset: Float64Array;
  source: number[];
}

export function channelAffine(normalization: Normalization, channels: number): ChannelAffine {
  const scale = new Float64Array(channels);
  const offset = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const { mean, std } = channelStats(normalization, c, channels);
    scale[c] = 1 / (255 * std);
    offset[c] = -mean / std;
  }
  return { scale, offset, source: channelSources(normalization, channels) };
}

/** 256 values per channel, so that normalising a stored byte is one table read. */
export function byteLookup(normalization: Normalization, channels: number): Float32Array {
  const table = new Float32Array(256 * channels);
  for (let c = 0; c < channels; c++) {
    const { mean, std } = channelStats(normalization, c, channels);
    // Divide rather than multiply by 1/255, so that 'unit' gives exactly Math.fround(v / 255).
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - mean) / std;
  }
  return table;
}

/**
 * Writes `count` HWC byte examples into `out` as floats; `channels` is the innermost stride.
 * `sources` (from channelSources) reorders the channels where it is not the identity.
 */
export function normalizeBytes(bytes: Uint8Array, out: Float32Array, outOffset: number, channels: number, table: Float32Array, sources?: readonly number[]): void {
  if (channels === 1) {
    for (let i = 0; i < bytes.length; i++) out[outOffset + i] = table[bytes[i] as number] as number;
    return;
  }
  if (sources && sources.some((s, c) => s !== c)) {
    for (let i = 0; i < bytes.length; i++) {
      const c = i % channels;
      out[outOffset + i] = table[c * 256 + (bytes[i - c + (sources[c] as number)] as number)] as number;
    }
    return;
  }
  for (let i = 0; i < bytes.length; i++) out[outOffset + i] = table[(i % channels) * 256 + (bytes[i] as number)] as number;
}

function channelStats(normalization: Normalization, channel: number, channels: number): { mean: number; std: number } {
  if (normalization === 'unit') return { mean: 0, std: 1 };
  const { mean, std } = normalization;
  // One value for every channel is the common shorthand (for example mean 0.5, std 0.5).
  const fits = (values: number[]): boolean => values.length === 1 || values.length === channels;
  if (!fits(mean) || !fits(std)) {
    throw new Error(`normalisation gives ${mean.length} means and ${std.length} standard deviations for ${channels}-channel images`);
  }
  const m = (mean.length === 1 ? mean[0] : mean[channel]) as number;
  const s = (std.length === 1 ? std[0] : std[channel]) as number;
  if (!(s > 0)) throw new Error(`normalisation: standard deviation ${s} is not positive`);
  return { mean: m, std: s };
}
