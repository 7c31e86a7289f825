/**
 * The array encoding of src/protocol/inspect.ts, once for the engine that writes it and the
 * webviews that read it: base64 of little-endian float32, row-major, with the value range.
 * Node's Buffer encodes fast where there is one; a browser has atob.
 */
import type { EncodedArray } from './inspect';

export function encodeFloat32(values: Float32Array, shape: readonly number[]): EncodedArray {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return { shape: [...shape], dtype: 'float32', data: base64Of(bytes), min, max };
}

/**
 * Copying into an aligned buffer keeps Float32Array's 4-byte alignment rule; the DataView read
 * states the byte order, which every platform VS Code runs on shares anyway.
 */
export function decodeFloat32(array: EncodedArray): Float32Array {
  const bytes = bytesOf(array.data);
  const count = bytes.length >> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}

function base64Of(bytes: Uint8Array): string {
  if (typeof Buffer !== 'undefined') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

function bytesOf(base64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return Buffer.from(base64, 'base64');
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
