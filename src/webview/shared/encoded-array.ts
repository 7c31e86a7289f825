import type { EncodedArray } from '../../protocol/inspect';

/**
 * Decodes an EncodedArray (base64 of little-endian float32, see src/engine/inspect.ts `encode`)
 * without Node's Buffer: atob → bytes → Float32Array. Copying into an aligned buffer keeps
 * Float32Array's 4-byte alignment rule; the DataView read states the byte order, which every
 * platform VS Code runs on shares anyway.
 */
export function decodeFloat32(array: EncodedArray): Float32Array {
  const binary = atob(array.data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const count = bytes.length >> 2;
  const view = new DataView(bytes.buffer);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}
