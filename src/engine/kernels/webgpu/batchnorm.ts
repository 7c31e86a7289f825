// Batch normalisation's training forward pass on WebGPU, channels last (NHWC, or any rank with
// the channels on the last axis). Stock tfjs composes it from moments (mean, subtract, square,
// mean), batchNorm and, for the moving statistics, sub/mul/sub per statistic, and its gradient
// from a dozen more elementwise ops and reductions; here it is
//   1. per-channel partial statistics over chunks of rows (Welford in each invocation, Chan's
//      merge across the workgroup's lanes), so that large batches fill the GPU (split over rows),
//   2. the partials merged into the batch's mean and (biased, as tfjs's moments) variance,
//   3. the normalisation, scale and shift, one invocation per element,
// and one small program per moving statistic (ConvLabMovingAverage). Welford and Chan keep the
// variance accurate where the mean is large against the spread, which a sum of squares would not.
// The gradient is batchnorm_grad.ts.
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from '../registry';
import { tileSide } from './gemm';
import { elementwise, floats, ints, webgpuBackend, type WgslProgram } from './program';

export const BATCHNORM_TRAIN = 'ConvLabBatchNormTrain';
export const MOVING_AVERAGE = 'ConvLabMovingAverage';

export interface BatchNormTrainAttrs {
  epsilon: number;
}

export interface MovingAverageAttrs {
  /** 0 moves toward the batch mean, 1 toward the batch variance (the rows of `stats`). */
  row: number;
  /** 1 − momentum, as tfjs-layers' BatchNormalization: moving − (moving − batch) · decay. */
  decay: number;
}

/**
 * A workgroup is 256 invocations: a tile of 16, 32 or 64 neighbouring channels (the smallest
 * that covers the layer's, so narrow layers leave no lane idle) by 16, 8 or 4 lanes of rows.
 */
const WORKGROUP = 256;
/** Enough workgroups to fill a large GPU; each split reduces at least this many rows. */
const TARGET_WORKGROUPS = 512;
const MIN_ROWS_PER_SPLIT = 256;
/** The merge loops over the splits in one invocation per channel, so their count is capped. */
const MAX_SPLITS = 256;

export interface RowSplit {
  rows: number;
  channels: number;
  /** Channels a workgroup covers; WORKGROUP / tile lanes of rows each. */
  tile: number;
  splits: number;
  /** Rows each split reduces (the last may have fewer). */
  chunk: number;
}

/** How a [rows, channels] reduction is cut over workgroups. */
export function planRowSplit(shape: readonly number[]): RowSplit {
  const channels = shape[shape.length - 1]!;
  const rows = tf.util.sizeFromShape([...shape]) / channels;
  const tile = tileSide(channels);
  const tiles = Math.ceil(channels / tile);
  const wanted = Math.ceil(TARGET_WORKGROUPS / tiles);
  const most = Math.min(Math.ceil(rows / MIN_ROWS_PER_SPLIT), MAX_SPLITS);
  const splits = Math.max(1, Math.min(wanted, most));
  const chunk = Math.max(1, Math.ceil(rows / splits));
  return { rows, channels, tile, splits: Math.max(1, Math.ceil(rows / chunk)), chunk };
}

export const rowSplitUniforms = (p: RowSplit) => [ints(p.rows), ints(p.channels), ints(p.splits), ints(p.chunk)];
export const ROW_SPLIT_FIELDS = 'rows : i32, channels : i32, splits : i32, chunk : i32,';

/**
 * A program over [splits, 2, channels] partials: `perRow` (WGSL run for row r, channel c, lane
 * variables declared by `init`) accumulates, `merge` folds lane l into lane 0's
 * workgroup slots, which are then written as the split's two rows.
 */
export function rowPartialsProgram(key: string, split: RowSplit, variableNames: string[], source: { init: string; perRow: string; slots: string[]; merge: string; write: [string, string] }): WgslProgram {
  const { tile } = split;
  const lanes = WORKGROUP / tile;
  const slotDecls = source.slots.map((s) => `var<workgroup> ${s} : array<array<f32, ${tile}>, ${lanes}>;`).join('\n');
  return {
    outputShape: [split.splits, 2, split.channels],
    shaderKey: `${key}_${tile}`,
    dispatchLayout: { x: [0], y: [1], z: [2] },
    dispatch: [Math.ceil(split.channels / tile), split.splits, 1],
    variableNames,
    uniforms: `${ROW_SPLIT_FIELDS} epsilon : f32,`,
    workgroupSize: [tile, lanes, 1],
    getUserCode: () => `
      ${slotDecls}
      fn main() {
        let lx = i32(localId.x);
        let lane = i32(localId.y);
        let c = i32(workgroupId.x) * ${tile} + lx;
        let split = i32(workgroupId.y);
        let start = split * uniforms.chunk;
        let end = min(uniforms.rows, start + uniforms.chunk);
        ${source.init}
        if (c < uniforms.channels) {
          for (var r = start + lane; r < end; r += ${lanes}) {
            ${source.perRow}
          }
        }
        ${source.slots.map((s, i) => `${s}[lane][lx] = lane${i};`).join('\n        ')}
        workgroupBarrier();
        if (lane == 0 && c < uniforms.channels) {
          for (var l = 1; l < ${lanes}; l++) {
            ${source.merge}
          }
          result[(split * 2) * uniforms.channels + c] = ${source.write[0]};
          result[(split * 2 + 1) * uniforms.channels + c] = ${source.write[1]};
        }
      }`,
  };
}

/** Rows a split covers: its chunk, or what is left for the last. */
export const SPLIT_ROWS = 'f32(min(uniforms.chunk, uniforms.rows - s * uniforms.chunk))';

function statsPartials(split: RowSplit): WgslProgram {
  return rowPartialsProgram('convlabBatchNormStatsPartials', split, ['x'], {
    init: 'var lane0 = 0.0; var lane1 = 0.0; var lane2 = 0.0;',
    // lane0: count, lane1: mean, lane2: sum of squared deviations (M2).
    perRow: `
            let v = x[r * uniforms.channels + c];
            lane0 += 1.0;
            let d = v - lane1;
            lane1 += d / lane0;
            lane2 += d * (v - lane1);`,
    slots: ['count', 'mean', 'm2'],
    merge: `
            let nb = count[l][lx];
            let na = count[0][lx];
            let n = na + nb;
            if (nb > 0.0) {
              let d = mean[l][lx] - mean[0][lx];
              mean[0][lx] = mean[0][lx] + d * nb / n;
              m2[0][lx] = m2[0][lx] + m2[l][lx] + d * d * na * nb / n;
              count[0][lx] = n;
            }`,
    write: ['mean[0][lx]', 'm2[0][lx]'],
  });
}

/** [2, channels]: the batch mean and biased variance, merged from the splits' partials. */
function mergeStats(split: RowSplit): WgslProgram {
  return elementwise('convlabBatchNormStats', [2, split.channels], ['partials'], `${ROW_SPLIT_FIELDS} epsilon : f32,`, `
    let c = index % uniforms.channels;
    var n = 0.0;
    var mean = 0.0;
    var m2 = 0.0;
    for (var s = 0; s < uniforms.splits; s++) {
      let nb = ${SPLIT_ROWS};
      let mb = partials[(s * 2) * uniforms.channels + c];
      let total = n + nb;
      let d = mb - mean;
      mean += d * nb / total;
      m2 += partials[(s * 2 + 1) * uniforms.channels + c] + d * d * n * nb / total;
      n = total;
    }
    result[index] = select(m2 / n, mean, index < uniforms.channels);`);
}

/** Inputs x, scale, offset; outputs y and stats ([2, C]: mean, variance), which the gradient reuses. */
function batchNormTrain(args: KernelArgs): tf.TensorInfo[] {
  const backend = webgpuBackend(args);
  const { x, scale, offset } = args.inputs;
  if (!x || !scale || !offset) throw new Error(`${BATCHNORM_TRAIN} needs x, scale and offset`);
  const { epsilon } = args.attrs as unknown as BatchNormTrainAttrs;
  const split = planRowSplit(x.shape);
  if (scale.shape.length !== 1 || scale.shape[0] !== split.channels || offset.shape[0] !== split.channels) {
    throw new Error(`${BATCHNORM_TRAIN}: scale ${scale.shape} and offset ${offset.shape} must have the ${split.channels} channels of x ${x.shape}`);
  }
  const uniforms = [...rowSplitUniforms(split), floats(epsilon)];
  const partials = backend.runWebGPUProgram(statsPartials(split), [x], 'float32', uniforms);
  const stats = backend.runWebGPUProgram(mergeStats(split), [partials], 'float32', uniforms);
  backend.disposeData(partials.dataId);
  const normalise = elementwise('convlabBatchNormNormalise', [...x.shape], ['x', 'stats', 'scale', 'offset'], `${ROW_SPLIT_FIELDS} epsilon : f32,`, `
    let c = index % uniforms.channels;
    let invStd = inverseSqrt(stats[uniforms.channels + c] + uniforms.epsilon);
    result[index] = (x[index] - stats[c]) * invStd * scale[c] + offset[c];`);
  const y = backend.runWebGPUProgram(normalise, [x, stats, scale, offset], 'float32', uniforms);
  return [y, stats];
}

/** Inputs moving ([C]) and stats ([2, C]); the moving statistic one step toward the batch's. */
function movingAverage(args: KernelArgs): tf.TensorInfo {
  const { moving, stats } = args.inputs;
  if (!moving || !stats) throw new Error(`${MOVING_AVERAGE} needs moving and stats`);
  const { row, decay } = args.attrs as unknown as MovingAverageAttrs;
  const program = elementwise(`convlabMovingAverage`, [...moving.shape], ['moving', 'stats'], 'row : i32, decay : f32,', `
    let batch = stats[uniforms.row * uniforms.size + index];
    result[index] = moving[index] - (moving[index] - batch) * uniforms.decay;`);
  return webgpuBackend(args).runWebGPUProgram(program, [moving, stats], 'float32', [ints(row), floats(decay)]);
}

export const batchNormTrainWebgpuConfig: tf.KernelConfig = { kernelName: BATCHNORM_TRAIN, backendName: 'webgpu', kernelFunc: batchNormTrain as unknown as tf.KernelFunc };
export const movingAverageWebgpuConfig: tf.KernelConfig = { kernelName: MOVING_AVERAGE, backendName: 'webgpu', kernelFunc: movingAverage };
