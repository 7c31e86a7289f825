// The tiled GEMM both convolution gradients are built on: C[m, n] = Σ_r A[m, r] · B[r, n], where
// A and B are never materialised: each program supplies loadA and loadB, which gather from the
// tensors (an implicit GEMM, no im2col buffer). A workgroup of 16×16 invocations computes a
// tile of C up to 64×64, each invocation a block of up to 4×4 kept in registers; per step of 16
// along r the workgroup stages a slice of A and of B in workgroup memory, loaded so that
// neighbouring invocations read neighbouring addresses (`aAlong`/`bAlong` name the dimension
// that is contiguous in memory), and every value loaded is used up to 64 times from there.
// Narrow layers (6 or 16 channels) get 16- or 32-wide tiles, so no lane multiplies padding.

export const STEP = 16;
const THREADS = 256;

export interface Tile {
  m: number;
  n: number;
}

/** The smallest tile side of 16, 32 or 64 that covers `size`, 64 past that. */
export const tileSide = (size: number): number => (size <= 16 ? 16 : size <= 32 ? 32 : 64);

export const tileFor = (m: number, n: number): Tile => ({ m: tileSide(m), n: tileSide(n) });

export interface GemmSource {
  /** WGSL that runs first in main(): defines `rStart : i32` and stores the step count in `stepCount`. */
  prologue: string;
  /** fn loadA(m : i32, r : i32) -> f32, fn loadB(r : i32, n : i32) -> f32, fn store(m : i32, n : i32, v : f32). */
  functions: string;
  aAlong: 'm' | 'r';
  bAlong: 'n' | 'r';
}

/** Which tile element the i-th load of an invocation fills: [row along the tile's long side, step index]. */
function loadIndex(along: 'long' | 'step', side: number): { long: string; step: string } {
  return along === 'long'
    ? { long: `flat % ${side}`, step: `flat / ${side}` }
    : { long: `flat / ${STEP}`, step: `flat % ${STEP}` };
}

/** Loads of one operand's slice into workgroup memory, `side` × STEP values over 256 invocations. */
function stage(tile: 'tileA' | 'tileB', side: number, along: 'long' | 'step', load: (long: string, step: string) => string): string {
  const at = loadIndex(along, side);
  return `for (var i = 0; i < ${(side * STEP) / THREADS}; i++) {
          let flat = li + ${THREADS} * i;
          let l = ${at.long};
          let k = ${at.step};
          ${tile}[k][l] = ${load('l', 'k')};
        }`;
}

export function gemmSource(source: GemmSource, tile: Tile): string {
  const rm = tile.m / 16;
  const rn = tile.n / 16;
  const bv = Array.from({ length: rn }, (_, j) => `tileB[r][tx * ${rn} + ${j}]`);
  const vec = rn === 1 ? 'f32' : `vec${rn}<f32>`;
  const lanes = ['x', 'y', 'z', 'w'];
  return `
    var<workgroup> tileA : array<array<f32, ${tile.m}>, ${STEP}>;
    var<workgroup> tileB : array<array<f32, ${tile.n}>, ${STEP}>;
    var<workgroup> stepCount : i32;
    ${source.functions}
    fn main() {
      let tileM = i32(workgroupId.y) * ${tile.m};
      let tileN = i32(workgroupId.x) * ${tile.n};
      let tx = i32(localId.x);
      let ty = i32(localId.y);
      let li = i32(localIndex);
      ${source.prologue}
      // Read back through workgroup memory so that the loop bound is uniform, as barriers need.
      let steps = workgroupUniformLoad(&stepCount);
      var acc : array<${vec}, ${rm}>;
      for (var s = 0; s < steps; s++) {
        let r0 = rStart + s * ${STEP};
        ${stage('tileA', tile.m, source.aAlong === 'm' ? 'long' : 'step', (l, k) => `loadA(tileM + ${l}, r0 + ${k})`)}
        ${stage('tileB', tile.n, source.bAlong === 'n' ? 'long' : 'step', (l, k) => `loadB(r0 + ${k}, tileN + ${l})`)}
        workgroupBarrier();
        for (var r = 0; r < ${STEP}; r++) {
          let bv = ${rn === 1 ? bv[0] : `${vec}(${bv.join(', ')})`};
          ${Array.from({ length: rm }, (_, i) => `acc[${i}] += tileA[r][ty * ${rm} + ${i}] * bv;`).join('\n          ')}
        }
        workgroupBarrier();
      }
      for (var i = 0; i < ${rm}; i++) {
        let m = tileM + ty * ${rm} + i;
        let n = tileN + tx * ${rn};
        ${rn === 1 ? 'store(m, n, acc[i]);' : Array.from({ length: rn }, (_, j) => `store(m, n + ${j}, acc[i].${lanes[j]});`).join('\n        ')}
      }
    }`;
}

export const gemmWorkgroup: [number, number, number] = [16, 16, 1];
