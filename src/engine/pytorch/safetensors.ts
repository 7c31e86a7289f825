import { closeSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';

/**
 * The safetensors format, read and written by hand: an 8-byte little-endian header length, a
 * JSON header ({name: {dtype, shape, data_offsets}}, "__metadata__"), then the raw arrays.
 */
export interface NamedTensor {
  dtype: 'F32' | 'I64';
  shape: number[];
  data: Float32Array | BigInt64Array;
}

export class SafetensorsError extends Error {
  constructor(readonly path: string, message: string, readonly offset?: number) {
    super(`${path}${offset === undefined ? '' : ` (byte ${offset})`}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

const DTYPE_BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Writes tensors in the given order, atomically: a crash leaves no half-written file. */
export function writeSafetensors(path: string, tensors: Map<string, NamedTensor>, metadata: Record<string, string> = {}): void {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const bytes = tensor.data.byteLength;
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad to 8 bytes so the arrays stay aligned, as the reference writer does.
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(head.length));
  const staging = `${path}.writing`;
  try {
    // Piece by piece: one buffer of a 500 MB state_dict would be copied twice.
    const fd = openSync(staging, 'w');
    try {
      writeSync(fd, length);
      writeSync(fd, head);
      for (const tensor of tensors.values()) writeSync(fd, new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    } finally {
      closeSync(fd);
    }
    renameSync(staging, path);
  } catch (error) {
    rmSync(staging, { force: true });
    throw error;
  }
}

/** Reads every tensor, converting float types to F32; refuses what is not a safetensors file. */
export function readSafetensors(path: string): Map<string, NamedTensor> {
  const size = statSync(path).size;
  if (size < 8) throw new SafetensorsError(path, `not a safetensors file: ${size} bytes, shorter than its 8-byte header length`, 0);
  const fd = openSync(path, 'r');
  try {
    const lengthBytes = Buffer.alloc(8);
    readSync(fd, lengthBytes, 0, 8, 0);
    const headerLength = Number(lengthBytes.readBigUInt64LE());
    if (headerLength <= 1 || 8 + headerLength > size) throw new SafetensorsError(path, `not a safetensors file: its header length ${headerLength} does not fit in ${size} bytes`, 0);
    const headerBytes = Buffer.alloc(headerLength);
    readSync(fd, headerBytes, 0, headerLength, 8);
    let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    try {
      header = JSON.parse(headerBytes.toString('utf8')) as typeof header;
    } catch (error) {
      throw new SafetensorsError(path, `not a safetensors file: its header is not JSON (${(error as Error).message})`, 8);
    }
    const start = 8 + headerLength;
    const result = new Map<string, NamedTensor>();
    const entries = Object.entries(header).filter(([name]) => name !== '__metadata__').sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
    for (const [name, entry] of entries) {
      const width = DTYPE_BYTES[entry.dtype];
      if (width === undefined) throw new SafetensorsError(path, `tensor ${name}: unknown dtype ${entry.dtype}`, 8);
      const [begin, end] = entry.data_offsets;
      const count = entry.shape.reduce((a, b) => a * b, 1);
      if (end - begin !== count * width || start + end > size) {
        throw new SafetensorsError(path, `tensor ${name}: ${entry.dtype} ${JSON.stringify(entry.shape)} needs ${count * width} bytes, its offsets give ${end - begin}${start + end > size ? ' past the end of the file' : ''}`, start + begin);
      }
      if (entry.dtype === 'F32') {
        // Straight into the array: every platform Node runs on is little-endian, as the format is.
        const data = new Float32Array(count);
        const read = readSync(fd, new Uint8Array(data.buffer), 0, end - begin, start + begin);
        if (read !== end - begin) throw new SafetensorsError(path, `tensor ${name}: read ${read} of its ${end - begin} bytes`, start + begin);
        result.set(name, { dtype: 'F32', shape: entry.shape, data });
        continue;
      }
      const raw = Buffer.alloc(end - begin);
      readSync(fd, raw, 0, end - begin, start + begin);
      result.set(name, { dtype: entry.dtype === 'I64' ? 'I64' : 'F32', shape: entry.shape, data: decode(entry.dtype, raw, count) });
    }
    return result;
  } finally {
    closeSync(fd);
  }
}

function decode(dtype: string, raw: Buffer, count: number): Float32Array | BigInt64Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dtype === 'I64') {
    const out = new BigInt64Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getBigInt64(i * 8, true);
    return out;
  }
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'BF16':
      for (let i = 0; i < count; i++) out[i] = new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0]!;
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = half(view.getUint16(i * 2, true));
      break;
    default:
      for (let i = 0; i < count; i++) out[i] = readInteger(view, dtype, i);
  }
  return out;
}

function readInteger(view: DataView, dtype: string, i: number): number {
  switch (dtype) {
    case 'I32': return view.getInt32(i * 4, true);
    case 'I16': return view.getInt16(i * 2, true);
    case 'I8': return view.getInt8(i);
    default: return view.getUint8(i);
  }
}

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
