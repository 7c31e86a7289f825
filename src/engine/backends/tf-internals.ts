/**
 * The TensorFlow.js internals ConvLab reaches past the public API, in one place: a layer
 * weight's Variable (`LayerVariable.val`), an optimizer's learning rate, and the wasm heap.
 * Each is checked where it is read, so an upgrade that changes one fails here, loudly and by
 * name, instead of training silently wrong; test/engine/tf-internals.test.ts holds the pinned
 * tfjs to them.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from './tf';

export class TfInternalsChanged extends Error {
  constructor(what: string) {
    super(`TensorFlow.js ${tf.version.tfjs} no longer has ${what}, which ConvLab relies on (src/engine/backends/tf-internals.ts)`);
  }
}

/** The Variable behind a layer weight, which optimizer.minimize takes as a var list. */
export function variableOf(weight: tf.LayerVariable): tf.Variable {
  const value = (weight as unknown as { val?: unknown }).val;
  if (!(value instanceof tf.Variable)) throw new TfInternalsChanged('LayerVariable.val (the tf.Variable of a layer weight)');
  return value;
}

interface LearningRateFields {
  learningRate?: unknown;
  setLearningRate?: unknown;
}

export function learningRateOf(optimizer: tf.Optimizer): number {
  const value = (optimizer as unknown as LearningRateFields).learningRate;
  if (typeof value !== 'number') throw new TfInternalsChanged(`${optimizer.getClassName()}.learningRate`);
  return value;
}

/**
 * Changes the learning rate in place, keeping the optimizer's moments: SGD and momentum cache
 * it as a tensor (setLearningRate), Adam and RMSprop read the field on every step.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const target = optimizer as unknown as LearningRateFields;
  if (typeof target.learningRate !== 'number') throw new TfInternalsChanged(`${optimizer.getClassName()}.learningRate`);
  if (typeof target.setLearningRate === 'function') (target.setLearningRate as (lr: number) => void).call(optimizer, lr);
  else target.learningRate = lr;
}

/** The whole wasm heap as floats; re-read after any allocation, which may replace it. */
export function wasmHeapF32(backend: BackendWasm): Float32Array {
  const heap = (backend.wasm as unknown as { HEAPF32?: unknown }).HEAPF32;
  if (!(heap instanceof Float32Array)) throw new TfInternalsChanged('the wasm backend\'s HEAPF32');
  return heap;
}

/** What tfjs-layers' BatchNormalization keeps in private fields, read by its WebGPU training path. */
export interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: tf.LayerVariable;
  beta?: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

export function batchNormFieldsOf(layer: tf.layers.Layer): BatchNormFields {
  const f = layer as unknown as Partial<BatchNormFields>;
  if (typeof f.axis !== 'number' || typeof f.momentum !== 'number' || typeof f.epsilon !== 'number') throw new TfInternalsChanged('BatchNormalization.axis, .momentum and .epsilon');
  if (!(f.movingMean instanceof tf.LayerVariable) || !(f.movingVariance instanceof tf.LayerVariable)) throw new TfInternalsChanged('BatchNormalization.movingMean and .movingVariance');
  return f as BatchNormFields;
}
