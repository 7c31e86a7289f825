import type { EncodedArray } from '../../protocol/inspect';
import { decodeFloat32 } from '../../protocol/encoded-array';

/**
 * A [h, w, c] image of 0..1 values (c = 1 grey, c = 3 RGB) as a PNG data URL of h×w pixels, so an
 * SVG <image> can lay it under the receptive field at any scale with its pixels kept square.
 */
export function samplePictureUrl(pixels: EncodedArray): string {
  const [h = 0, w = 0, c = 1] = pixels.shape;
  const values = decodeFloat32(pixels);
  const rgba = new Uint8ClampedArray(h * w * 4);
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < 3; k++) rgba[p * 4 + k] = Math.round(255 * values[p * c + (c === 3 ? k : 0)]!);
    rgba[p * 4 + 3] = 255;
  }
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, w, h), 0, 0);
  return canvas.toDataURL('image/png');
}
