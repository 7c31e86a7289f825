// Patch matrices for the filter gradient, laid out with one row per filter tap (kh, kw, ci) so
// that dW = patches . dy is a plain product on XNNPACK. V8 moves about one float per 1.5 ns in
// an indexed loop, which made building this matrix cost more than the product itself; where
// the stride is 1 the rows are long contiguous runs of the padded input, moved by memmove.
import { validOutputRange, type ConvGeometry } from '../geometry';

/** Rows (kh, kw, ci), columns (b, oh, ow): any stride, element by element. */
export function fillStridedPatches(x: Float32Array, cols: Float32Array, g: ConvGeometry): void {
  const { batch, inH, inW, inC, outH, outW, kH, kW } = g;
  const n = batch * outH * outW;
  const rowStep = g.strideH * inW * inC;
  const colStep = g.strideW * inC;
  for (let kh = 0; kh < kH; kh++) {
    const [ohLo, ohHi] = validOutputRange(kh, g.dilH, g.strideH, g.padTop, inH, outH);
    for (let kw = 0; kw < kW; kw++) {
      const [owLo, owHi] = validOutputRange(kw, g.dilW, g.strideW, g.padLeft, inW, outW);
      const iw0 = owLo * g.strideW + kw * g.dilW - g.padLeft;
      const ih0 = ohLo * g.strideH + kh * g.dilH - g.padTop;
      for (let ci = 0; ci < inC; ci++) {
        let o = ((kh * kW + kw) * inC + ci) * n;
        for (let b = 0; b < batch; b++) {
          for (const end = o + ohLo * outW; o < end;) cols[o++] = 0;
          let xr = ((b * inH + ih0) * inW + iw0) * inC + ci;
          for (let oh = ohLo; oh < ohHi; oh++, xr += rowStep) {
            let ow = 0;
            for (; ow < owLo; ow++) cols[o++] = 0;
            for (let xi = xr; ow < owHi; ow++, xi += colStep) cols[o++] = x[xi]!;
            for (; ow < outW; ow++) cols[o++] = 0;
          }
          for (const end = o + (outH - ohHi) * outW; o < end;) cols[o++] = 0;
        }
      }
    }
  }
}

/** Sizes of the stride-1 layout: every output row is widened to the padded input's width. */
export interface WideLayout {
  padH: number;
  padW: number;
  /** Columns of the patch matrix (rows of the widened dy): batch * outH * padW. */
  depth: number;
  /** Floats in the channel-planar padded input, including the tail the last run reads past. */
  planarSize: number;
}

export function wideLayout(g: ConvGeometry): WideLayout {
  const padH = g.inH + g.padTop + g.padBottom;
  const padW = g.inW + g.padLeft + g.padRight;
  return {
    padH, padW,
    depth: g.batch * g.outH * padW,
    planarSize: g.inC * g.batch * padH * padW + (g.kW - 1) * g.dilW,
  };
}

/** Widening costs extra multiply-adds (padW / outW of them); beyond this it stops paying. */
export function wideIsWorthIt(g: ConvGeometry): boolean {
  if (g.strideH !== 1 || g.strideW !== 1) return false;
  const l = wideLayout(g);
  return l.padH === g.outH + (g.kH - 1) * g.dilH && l.padW === g.outW + (g.kW - 1) * g.dilW
    && l.padW <= 1.5 * g.outW;
}

/**
 * Fills, all inside `heap` (float offsets): the zero-padded input as channel planes, the patch
 * matrix (each (tap, image) row segment one copy of that plane, shifted by the tap), and dy
 * widened with zero columns so the extra patch columns, which straddle image rows, count
 * nothing (for finite inputs: an infinite x there would make 0 * x a NaN).
 */
export function fillWidePatches(
  heap: Float32Array, at: { x: number; dy: number; planar: number; cols: number; dyWide: number },
  g: ConvGeometry, l: WideLayout,
): void {
  const { batch, inH, inW, inC, outH, outW, outC, kH, kW } = g;
  const { padH, padW, depth } = l;
  const image = padH * padW;
  const plane = batch * image;
  heap.fill(0, at.planar, at.planar + l.planarSize);
  for (let b = 0; b < batch; b++) {
    for (let ih = 0; ih < inH; ih++) {
      const src = at.x + (b * inH + ih) * inW * inC;
      const dst = at.planar + b * image + (ih + g.padTop) * padW + g.padLeft;
      if (inC === 1) {
        heap.copyWithin(dst, src, src + inW);
        continue;
      }
      for (let iw = 0; iw < inW; iw++) {
        for (let ci = 0, s = src + iw * inC; ci < inC; ci++) heap[dst + ci * plane + iw] = heap[s + ci]!;
      }
    }
  }
  const run = outH * padW;
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const shift = kh * g.dilH * padW + kw * g.dilW;
      for (let ci = 0; ci < inC; ci++) {
        const row = at.cols + ((kh * kW + kw) * inC + ci) * depth;
        const src = at.planar + ci * plane + shift;
        for (let b = 0; b < batch; b++) heap.copyWithin(row + b * run, src + b * image, src + b * image + run);
      }
    }
  }
  const dyRow = outW * outC;
  const wideRow = padW * outC;
  for (let r = 0; r < batch * outH; r++) {
    const dst = at.dyWide + r * wideRow;
    heap.copyWithin(dst, at.dy + r * dyRow, at.dy + (r + 1) * dyRow);
    heap.fill(0, dst + dyRow, dst + wideRow);
  }
}
