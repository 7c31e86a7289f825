// Splits over an indexable source of examples: batching, seeded shuffles, limits, held-out
// subsets and label counts, shared by every dataset format.
import { byteLookup, channelSources, normalizeBytes, type Normalization } from './normalize';
import { randomSeed, seededRandom, shuffleInPlace } from './random';
import type { Batch, BatchOptions, Split } from './types';

/** Random access to examples by index, whatever the storage (bytes in memory, files on disk). */
export interface ExampleSource {
  readonly count: number;
  /** Floats per example: height × width × channels. */
  readonly exampleLength: number;
  readonly labels: Int32Array;
  /** Writes the examples at `indices`, one after another, into `out` (NHWC, normalised). */
  write(indices: Int32Array, out: Float32Array): Promise<void>;
  /** The file example `index` comes from, where there is one. */
  fileOf?(index: number): string | undefined;
}

/** Examples kept as HWC bytes in memory and normalised per batch, which keeps memory at 1 byte a value. */
export class ByteSource implements ExampleSource {
  private readonly table: Float32Array;
  private readonly sources: number[];
  private readonly channels: number;

  constructor(
    private readonly pixels: Uint8Array,
    readonly labels: Int32Array,
    readonly exampleLength: number,
    channels: number,
    normalization: Normalization,
  ) {
    if (pixels.length !== labels.length * exampleLength) {
      throw new Error(`${pixels.length} pixel bytes do not make ${labels.length} examples of ${exampleLength}`);
    }
    this.table = byteLookup(normalization, channels);
    this.sources = channelSources(normalization, channels);
    this.channels = channels;
  }

  get count(): number {
    return this.labels.length;
  }

  async write(indices: Int32Array, out: Float32Array): Promise<void> {
    const n = this.exampleLength;
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k] as number;
      normalizeBytes(this.pixels.subarray(i * n, (i + 1) * n), out, k * n, this.channels, this.table, this.sources);
    }
  }
}

// Fixed, so that `limit` picks the same examples whatever the shuffle seed.
const LIMIT_SEED = 0x5eed;

export class SourceSplit implements Split {
  /** `indices` select and order examples of `source`; all of them, in order, when left out. */
  constructor(
    readonly source: ExampleSource,
    private readonly indices?: Int32Array,
  ) {}

  get count(): number {
    return this.indices?.length ?? this.source.count;
  }

  async labels(): Promise<Int32Array> {
    return this.labelArray();
  }

  fileOf(position: number): string | undefined {
    return this.source.fileOf?.(this.indices ? this.indices[position]! : position);
  }

  labelArray(): Int32Array {
    const all = this.source.labels;
    return this.indices ? this.indices.map((i) => all[i] as number) : all.slice();
  }

  /** A split of some of this split's examples; `positions` index into this split. */
  subset(positions: Int32Array): SourceSplit {
    return new SourceSplit(this.source, this.indices ? positions.map((p) => this.indices?.[p] as number) : positions);
  }

  async *batches(batchSize: number, options: BatchOptions = {}): AsyncGenerator<Batch> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
    const order = this.order(options);
    const length = this.source.exampleLength;
    const allLabels = this.source.labels;
    for (let start = 0; start < order.length; start += batchSize) {
      const indices = order.subarray(start, start + batchSize);
      const x = new Float32Array(indices.length * length);
      await this.source.write(indices, x);
      const labels = indices.map((i) => allLabels[i] as number);
      yield { x, labels, count: indices.length };
    }
  }

  /** Indices into the source of the examples `batches` visits unshuffled under `limit`, in order. */
  sourceIndices(limit?: number): Int32Array {
    return this.order({ limit });
  }

  /** Source indices in visiting order. */
  private order({ shuffle = false, seed, limit }: BatchOptions): Int32Array {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    const positions = limitedPositions(this.count, limit);
    if (shuffle) shuffleInPlace(positions, seededRandom(seed ?? randomSeed()));
    const indices = this.indices;
    return indices ? positions.map((p) => indices[p] as number) : positions;
  }
}

/**
 * The positions of a split's examples that `limit` keeps, in order: a fixed seeded subset that
 * mixes the classes. Exported so that a benchmark's peer can train on the very same examples.
 */
export function limitedPositions(count: number, limit?: number): Int32Array {
  const positions = identity(count);
  if (limit === undefined || limit >= count) return positions;
  return shuffleInPlace(positions, seededRandom(LIMIT_SEED)).subarray(0, limit).sort();
}

/**
 * Holds out `fraction` of a split as validation, seeded and stratified by class, so that small
 * image folders keep their class balance on both sides. Both parts keep the original order.
 */
export function holdout(split: Split, fraction = 0.1, seed = 0): { train: Split; validation: Split } {
  if (!(split instanceof SourceSplit)) throw new TypeError('holdout: only splits made by the data layer can be divided');
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`holdout fraction must be between 0 and 1, got ${fraction}`);
  const labels = split.labelArray();
  const total = Math.round(fraction * labels.length);
  if (total < 1 || total >= labels.length) {
    throw new RangeError(`holding out ${fraction * 100}% of ${labels.length} examples leaves one side empty`);
  }
  const byClass = positionsByClass(labels);
  const quotas = largestRemainder(byClass.map((p) => p.length), total);
  const random = seededRandom(seed);
  const held = new Uint8Array(labels.length);
  byClass.forEach((positions, c) => {
    shuffleInPlace(positions, random);
    for (const p of positions.subarray(0, quotas[c])) held[p] = 1;
  });
  const validation: number[] = [];
  const train: number[] = [];
  held.forEach((isHeld, p) => (isHeld ? validation : train).push(p));
  return { train: split.subset(Int32Array.from(train)), validation: split.subset(Int32Array.from(validation)) };
}

/**
 * Examples per class, for class weights. Reads stored labels where the split has them and
 * otherwise walks the batches (which decodes every example once).
 */
export async function labelCounts(split: Split, classCount = 0): Promise<number[]> {
  const counts: number[] = new Array<number>(classCount).fill(0);
  const add = (label: number): void => {
    while (counts.length <= label) counts.push(0);
    counts[label] = (counts[label] as number) + 1;
  };
  if (split.labels) {
    (await split.labels()).forEach(add);
  } else {
    for await (const batch of split.batches(1024)) batch.labels.forEach(add);
  }
  return counts;
}

function identity(n: number): Int32Array {
  const positions = new Int32Array(n);
  for (let i = 0; i < n; i++) positions[i] = i;
  return positions;
}

function positionsByClass(labels: Int32Array): Int32Array[] {
  const lists: number[][] = [];
  labels.forEach((label, p) => {
    while (lists.length <= label) lists.push([]);
    lists[label]?.push(p);
  });
  return lists.map((list) => Int32Array.from(list));
}

/** Splits `total` across groups in proportion to their sizes, with whole numbers that add up. */
function largestRemainder(sizes: number[], total: number): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (s * total) / sum);
  const quotas = exact.map(Math.floor);
  let missing = total - quotas.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (missing-- <= 0) break;
    quotas[i] = (quotas[i] as number) + 1;
  }
  return quotas;
}
