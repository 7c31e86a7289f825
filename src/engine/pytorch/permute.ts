/**
 * Transposes a row-major array in plain JavaScript: out has axes `perm` of the input's. The wasm
 * backend's transpose takes seconds for a 37M-value dense kernel; this loop takes a fraction.
 */
export function permute(data: Float32Array, shape: number[], perm: number[]): { data: Float32Array; shape: number[] } {
  // Pad to four axes so one loop nest serves every rank the layouts use.
  const rank = shape.length;
  const dims = [...Array(4 - rank).fill(1), ...shape] as number[];
  const order = [...Array.from({ length: 4 - rank }, (_, i) => i), ...perm.map((p) => p + 4 - rank)];
  const strides = [dims[1]! * dims[2]! * dims[3]!, dims[2]! * dims[3]!, dims[3]!, 1];
  const outDims = order.map((axis) => dims[axis]!);
  const step = order.map((axis) => strides[axis]!);
  const out = new Float32Array(data.length);
  let k = 0;
  for (let a = 0; a < outDims[0]!; a++) {
    const oa = a * step[0]!;
    for (let b = 0; b < outDims[1]!; b++) {
      const ob = oa + b * step[1]!;
      for (let c = 0; c < outDims[2]!; c++) {
        const oc = ob + c * step[2]!;
        const s3 = step[3]!;
        for (let d = 0; d < outDims[3]!; d++) out[k++] = data[oc + d * s3]!;
      }
    }
  }
  return { data: out, shape: perm.map((p) => shape[p]!) };
}
