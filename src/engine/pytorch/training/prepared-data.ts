import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Split } from '../../data/index';
import { SourceSplit } from '../../data/split';
import type { TrainingData } from '../../data/training-data';

/**
 * The examples of each split, written once as the PyTorch runtime reads them: float32 NHWC,
 * normalised (`x.f32`), int32 labels (`y.i32`) and the indices into the dataset they came from
 * (`indices.i32`). Node's data layer decides which files, which split, which order and which
 * pixels (lookup order, download cache, checksums, decoding, resizing, normalisation), so both
 * engines train on the same examples; docs/architecture.md says why.
 */
export interface PreparedSplit {
  examples: string;
  labels: string;
  indices?: string;
  count: number;
  /** One example's shape: [H, W, C] or [N]. */
  shape: number[];
}

export interface PreparedData {
  train: PreparedSplit;
  validation?: PreparedSplit;
  test: PreparedSplit;
}

/** `limit` caps training (a fixed mixed subset) and, unless `evaluateAll`, validation and test. */
export async function prepareData(data: TrainingData, shape: number[], dir: string, limit: number | undefined, evaluateAll: boolean, signal?: AbortSignal): Promise<PreparedData> {
  mkdirSync(dir, { recursive: true });
  const evaluationLimit = evaluateAll ? undefined : limit;
  return {
    train: await writeSplit(data.train, shape, join(dir, 'train'), limit, signal),
    ...(data.validation ? { validation: await writeSplit(data.validation, shape, join(dir, 'validation'), evaluationLimit, signal) } : {}),
    test: await writeSplit(data.test, shape, join(dir, 'test'), evaluationLimit, signal),
  };
}

async function writeSplit(split: Split, shape: number[], stem: string, limit: number | undefined, signal?: AbortSignal): Promise<PreparedSplit> {
  const examples = `${stem}.x.f32`;
  const fd = openSync(examples, 'w');
  const labels: Int32Array[] = [];
  let count = 0;
  try {
    for await (const batch of split.batches(1024, { limit })) {
      if (signal?.aborted) throw new Error('cancelled while preparing the data');
      writeSync(fd, new Uint8Array(batch.x.buffer, batch.x.byteOffset, batch.x.byteLength));
      labels.push(batch.labels);
      count += batch.count;
    }
  } finally {
    closeSync(fd);
  }
  const all = new Int32Array(count);
  let at = 0;
  for (const part of labels) {
    all.set(part, at);
    at += part.length;
  }
  writeFileSync(`${stem}.y.i32`, new Uint8Array(all.buffer));
  let indices: string | undefined;
  if (split instanceof SourceSplit) {
    indices = `${stem}.indices.i32`;
    const order = split.sourceIndices(limit);
    writeFileSync(indices, new Uint8Array(order.buffer, order.byteOffset, order.byteLength));
  }
  return { examples, labels: `${stem}.y.i32`, ...(indices ? { indices } : {}), count, shape };
}
