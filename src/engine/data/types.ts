// The data layer's contract with the trainer: plain typed arrays, no TensorFlow.

/** One mini-batch. `x` holds `count` examples in NHWC order, already normalised. */
export interface Batch {
  x: Float32Array;
  labels: Int32Array;
  count: number;
}

export interface BatchOptions {
  /** Visit the examples in a seeded random order. */
  shuffle?: boolean;
  /** Seed of the shuffle; pass a different one each epoch. Random when left out. */
  seed?: number;
  /**
   * Use at most this many examples. The subset is fixed (it does not depend on `seed`), so every
   * epoch sees the same examples, and it mixes the classes even where a split is stored class by
   * class, as image folders are.
   */
  limit?: number;
}

export interface Split {
  readonly count: number;
  batches(batchSize: number, options?: BatchOptions): AsyncIterable<Batch>;
  /** Every label in storage order, where that is cheap (no image decoding). */
  labels?(): Promise<Int32Array>;
  /** The file an example was read from (image folders), so a student can find the image. */
  fileOf?(position: number): string | undefined;
}

export interface Dataset {
  name: string;
  /** [height, width, channels] of one example. */
  inputShape: [number, number, number];
  classNames: string[];
  train: Split;
  validation?: Split;
  test: Split;
  /** sha256 over the files read, for the run summary; for image folders, over the listing (paths and sizes). */
  checksum: string;
  /** Where the data was read from, for the run summary. */
  source: string;
  /** The test split is the validation split: a dataset without a test set. */
  testIsValidation?: boolean;
  /** Choices made on the user's behalf, such as "validation: 10% of train held out (seed 0)". */
  notes?: string[];
}

/** An unreadable dataset file. The message names the file and, where known, the byte offset. */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly path?: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'DatasetError';
  }

  /** `path: truncated at byte 1,216: expected …` — the shape of every file error here. */
  static at(path: string, offset: number, problem: string, detail?: string, within?: 'decompressed data' | 'file'): DatasetError {
    const place = within === 'decompressed data' ? ' of the decompressed data' : '';
    const message = `${path}: ${problem} at byte ${formatCount(offset)}${place}${detail ? `: ${detail}` : ''}`;
    return new DatasetError(message, path, offset);
  }
}

/** 47040016 → "47,040,016": byte offsets in messages are read by people. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A named dataset that is nowhere on disk while downloads are turned off (views that must not wait on a download). */
export class DatasetNotDownloadedError extends DatasetError {
  constructor(
    readonly dataset: string,
    message: string,
    path?: string,
  ) {
    super(message, path);
    this.name = 'DatasetNotDownloadedError';
  }
}
