/**
 * How long an epoch will take, before it starts: the model's multiply-adds per example
 * (`convlab/summary`), times three for training (forward, and the two backward products:
 * gradients of the inputs and of the weights), divided by this machine's measured throughput
 * on the backend. The measurement is stored after every run; before the first one, the
 * defaults below stand in. Pure, for unit tests.
 */
import type { BackendName } from '../../protocol/engine';

/** Forward plus backward: one product for the activations' gradient, one for the weights'. */
export const TRAINING_MACS_FACTOR = 3;

/** Above this, starting a run asks for confirmation: nobody starts a ten-hour run by accident. */
export const CONFIRM_ABOVE_SECONDS = 10 * 60;

/**
 * Training multiply-adds per second before this machine has measured any, per backend.
 * wasm and cpu are LeNet-5 at batch 64 on a 2-core machine with ConvLab's training kernels
 * (about 3,500 and 300 images/s measured by bench/kernels.bench.ts, times 416,520 MACs, times 3);
 * native is tfjs-node near PyTorch's CPU speed there (about 4,000 images/s); the GPU figures are
 * deliberately modest guesses for a laptop GPU, so a first estimate errs long rather than short.
 */
export const DEFAULT_MACS_PER_SECOND: Record<BackendName, number> = {
  cuda: 2e11,
  webgpu: 5e10,
  native: 5e9,
  wasm: 4.4e9,
  cpu: 3.7e8,
};

/**
 * Examples per epoch when neither a limit nor an earlier run says: the size of the classic
 * training sets (MNIST 54,000 after its validation holdout, CIFAR-10 45,000).
 */
export const TYPICAL_EPOCH_EXAMPLES = 50_000;

export function trainingMacsPerSecond(examplesPerSecond: number, macsPerExample: number): number {
  return examplesPerSecond * macsPerExample * TRAINING_MACS_FACTOR;
}

export interface EpochEstimate {
  backend: BackendName;
  seconds: number;
  examples: number;
  /** Whether the example count is TYPICAL_EPOCH_EXAMPLES rather than known. */
  examplesAssumed: boolean;
  macsPerSecond: number;
  /** Whether the throughput was measured on this machine (else a default). */
  measured: boolean;
}

export interface EstimateInput {
  macsPerExample: number;
  /** The summary's training multiply-adds per example (a frozen base skips its backward pass); else 3 × macs. */
  trainingMacsPerExample?: number;
  /** Examples an epoch as the train section says (built-in datasets), when the summary knows. */
  datasetExamples?: number;
  backend: BackendName;
  /** This machine's stored throughput for the backend, if any. */
  measuredMacsPerSecond?: number;
  /** `convlab.trainLimit`, when set. */
  limit?: number;
  /** Examples per epoch of this model's last run, when one ran. */
  knownExamples?: number;
}

export function estimateEpoch(input: EstimateInput): EpochEstimate {
  const measured = input.measuredMacsPerSecond !== undefined && input.measuredMacsPerSecond > 0;
  const macsPerSecond = measured ? (input.measuredMacsPerSecond as number) : DEFAULT_MACS_PER_SECOND[input.backend];
  const known = input.knownExamples;
  const limit = input.limit !== undefined && input.limit > 0 ? input.limit : undefined;
  const size = known ?? input.datasetExamples;
  const examples = limit !== undefined ? Math.min(limit, size ?? limit) : (size ?? TYPICAL_EPOCH_EXAMPLES);
  const examplesAssumed = limit === undefined && size === undefined;
  const seconds = (examples * trainingMacsOf(input)) / macsPerSecond;
  return { backend: input.backend, seconds, examples, examplesAssumed, macsPerSecond, measured };
}

/** Multiply-adds of a training step per example: the summary's figure, else the all-trainable rule of thumb. */
export function trainingMacsOf(input: Pick<EstimateInput, 'macsPerExample' | 'trainingMacsPerExample'>): number {
  return input.trainingMacsPerExample ?? input.macsPerExample * TRAINING_MACS_FACTOR;
}

/**
 * Long epochs ask first, unless the example count is a guess: an image folder's size is
 * unknown until the engine opens it, and a guess is no reason to stop a person.
 */
export function needsConfirmation(estimate: EpochEstimate): boolean {
  return estimate.seconds > CONFIRM_ABOVE_SECONDS && !estimate.examplesAssumed;
}

/** "≈ 45 s per epoch on wasm (measured here)", for the notification and the confirmation. */
export function describeEstimate(estimate: EpochEstimate): string {
  const basis = estimate.measured ? 'measured on this machine' : 'a default until the first run measures this machine';
  const examples = estimate.examplesAssumed ? `${estimate.examples.toLocaleString('en-US')} images, a typical dataset` : `${estimate.examples.toLocaleString('en-US')} images`;
  return `≈ ${formatDuration(estimate.seconds)} per epoch on ${estimate.backend} (${examples}; speed ${basis})`;
}

/** 0.4 s, 45 s, 3 min 20 s, 2 h 5 min, 3 d 4 h. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds < 10) return `${Math.max(0, seconds).toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return whole % 60 === 0 ? `${minutes} min` : `${minutes} min ${whole % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** The subset of VS Code's Memento that the stores use, so they test against a Map. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

const THROUGHPUT_KEY = 'convlab.throughput';
const LAST_BACKEND_KEY = 'convlab.lastBackend';
const EPOCH_EXAMPLES_KEY = 'convlab.epochExamples';

/** What runs measured on this machine: MACs/s per backend, the backend `auto` took, and dataset sizes. */
export class ThroughputStore {
  constructor(private readonly store: KeyValueStore) {}

  macsPerSecond(backend: BackendName): number | undefined {
    return this.store.get<Partial<Record<BackendName, number>>>(THROUGHPUT_KEY)?.[backend];
  }

  /** `trainingMacsPerExample` as the estimate used it (trainingMacsOf), so the two agree. */
  async recordThroughput(backend: BackendName, examplesPerSecond: number, trainingMacsPerExample: number): Promise<void> {
    if (!(examplesPerSecond > 0) || !(trainingMacsPerExample > 0)) return;
    const all = { ...this.store.get<Partial<Record<BackendName, number>>>(THROUGHPUT_KEY) };
    all[backend] = examplesPerSecond * trainingMacsPerExample;
    await this.store.update(THROUGHPUT_KEY, all);
  }

  /** The backend the engine chose when left to itself last time. */
  lastBackend(): BackendName | undefined {
    return this.store.get<BackendName>(LAST_BACKEND_KEY);
  }

  async recordBackend(backend: BackendName): Promise<void> {
    await this.store.update(LAST_BACKEND_KEY, backend);
  }

  epochExamples(file: string, model: string): number | undefined {
    return this.store.get<Record<string, number>>(EPOCH_EXAMPLES_KEY)?.[`${file}#${model}`];
  }

  async recordEpochExamples(file: string, model: string, examples: number): Promise<void> {
    const all = { ...this.store.get<Record<string, number>>(EPOCH_EXAMPLES_KEY) };
    all[`${file}#${model}`] = examples;
    await this.store.update(EPOCH_EXAMPLES_KEY, all);
  }
}
