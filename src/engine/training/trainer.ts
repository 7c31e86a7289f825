import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ModelGraph } from '../../language/layer-graph';
import { totals } from '../../language/layer-graph';
import type { TrainSpec } from '../../language/passes/train-spec';
import type { BackendName, CancelledEvent, DoneEvent, EngineEvent, EpochMetrics } from '../../protocol/engine';
import { augmentBatch, augments } from './augment';
import { selectBackend } from '../backends/select-backend';
import { loadCheckpointWeights, loadOptimizerState, loadTrainingState, saveCheckpoint, type TrainingState } from '../model/checkpoint';
import { loadBaseWeights, loadModelWithBases } from '../model/base-model';
import { applyTrainability, compileModel, type CompiledModel } from '../model/compile';
import { seededRandom } from '../data/random';
import { evaluateSplit } from '../evaluation/predict-split';
import { ModelFileError } from '../model/model-file';
import { openTrainingData, type TrainingData } from '../data/training-data';
import type { ObjectiveOptions } from './objective';
import { ParallelStep } from '../parallel/parallel-step';
import { SerialStepper, TrainingStep, type Stepper } from './step';
import { learningRateOf, makeOptimizer, setLearningRate } from './optimizers';
import { appendEvent, appendGradientFlow, createRunDir, writeSummary } from './run-folder';
import { DEFAULT_GRADIENT_FLOW_INTERVAL } from './gradient-flow';
import type { RunSummary } from '../../protocol/run-folder';
import { TRAIN_DEFAULTS } from '../../protocol/train-defaults';
import { BestTracker, TrainingSchedule } from './schedule';
import { tf } from '../backends/tf';
import { trainingStages, type TrainingStage } from '../../language/passes/stages';
import type { EngineChoice } from '../../protocol/engine';
import { chooseEngine } from '../pytorch/training/engine-choice';
import { trainWithPytorch } from '../pytorch/training/torch-trainer';
import { refuseDevicesOnTfjs } from '../pytorch/training/torchrun';

export interface TrainOptions {
  file: string;
  model?: string;
  epochs?: number;
  batch?: number;
  limit?: number;
  seed?: number;
  dataDir?: string;
  runsDir?: string;
  backend?: BackendName;
  nativeDir?: string;
  /** A run folder to continue from its `last/` checkpoint. */
  resume?: string;
  onEvent: (event: EngineEvent) => void;
  onDownload?: (received: number, total: number | undefined, file: string) => void;
  /** Aborting finishes the current batch, writes `last/` and ends with a cancelled event. */
  signal?: AbortSignal;
  /** Least milliseconds between batch events. */
  batchEventInterval?: number;
  /**
   * Replica threads sharing each batch on the single-threaded CPU backends (wasm, cpu); 1 trains
   * in the engine's own thread. Default: 1.
   */
  workers?: number;
  /**
   * Validate and test on the whole splits even when `limit` caps training (a benchmark that
   * compares with a peer validating on all 10,000 CIFAR-10 test images). By default `limit`
   * caps validation and test too, so a quick run is quick throughout.
   */
  evaluateAll?: boolean;
  /** tfjs (the default), pytorch, or auto (pytorch where python3 has torch and a CUDA or MPS device). */
  engine?: EngineChoice;
  /** The Python to try first for the pytorch engine (`--python`, the convlab.pythonPath setting). */
  python?: string;
  /** `--gpus N`: N processes under torchrun (the pytorch engine); overrides the train section's `devices`. */
  gpus?: number;
  /**
   * Record the layers' gradient flow every this many batches (a gradientFlow event, kept in
   * the run folder's gradient-flow.jsonl); 0 turns it off. Default: 20.
   */
  gradientFlowInterval?: number;
}

/** Trains a model file's model as its train section says; resolves with the final event. */
export async function train(options: TrainOptions): Promise<DoneEvent | CancelledEvent> {
  const decision = chooseEngine(options.engine ?? 'tfjs', options.python);
  if (decision.engine === 'pytorch' && decision.python) return trainWithPytorch(options, { ...decision, python: decision.python });
  const { graph, spec: written, analysis } = await loadModelWithBases(options.file, options.model, { onProgress: options.onDownload, signal: options.signal, dataDir: options.dataDir });
  const spec: TrainSpec = {
    ...written,
    epochs: options.epochs ?? written.epochs,
    batch: options.batch ?? written.batch,
    limit: options.limit ?? written.limit,
    seed: options.seed ?? written.seed ?? TRAIN_DEFAULTS.seed,
  };
  refuseDevicesOnTfjs(options.gpus, spec, options.file, analysis);
  if (spec.precision !== 'fp32') {
    const at = spec.precisionSpan && analysis.lines.position(spec.precisionSpan.start);
    throw new ModelFileError(`precision ${spec.precision} needs the pytorch engine (--engine pytorch); the tfjs engine trains in fp32`, at && { file: options.file, line: at.line + 1, column: at.character + 1 });
  }
  const resumeState = options.resume ? loadTrainingState(join(options.resume, 'last')) : undefined;
  const runDir = options.resume ? resolve(options.resume) : createRunDir(resolve(options.runsDir ?? 'runs'), graph.name);
  const params = totals(graph).params;
  // The run folder keeps every event as it was sent, so a replay is the run (docs/cli.md).
  const recorded: TrainOptions = { ...options, onEvent: (event) => {
    if (event.type === 'gradientFlow') appendGradientFlow(runDir, event);
    else appendEvent(runDir, event);
    options.onEvent(event);
  } };
  recorded.onEvent({
    type: 'start', runDir, model: graph.name, file: options.file, params,
    epochs: spec.epochs + (spec.finetune?.epochs ?? 0), batchSize: spec.batch, ...(options.resume ? { resumedFrom: join(runDir, 'last') } : {}),
  });
  let run: TrainingRun;
  try {
    const backend = await selectBackend({ force: options.backend, nativeDir: options.nativeDir, searchFrom: [dirname(resolve(options.file))] });
    const replicas = (options.workers ?? 1) > 1 && (backend.name === 'wasm' || backend.name === 'cpu') ? options.workers! : 1;
    recorded.onEvent({ ...backend, replicas, ...(options.engine === 'auto' ? { engine: 'tfjs' as const, reason: `${decision.reason}; ${backend.reason}` } : {}) });
    const data = await openTrainingData(graph, spec, { file: options.file, dataDir: options.dataDir, onProgress: options.onDownload, signal: options.signal, evaluateAll: options.evaluateAll });
    recorded.onEvent(data.event);
    run = new TrainingRun(graph, spec, data, runDir, backend.name, recorded, (offset) => analysis.lines.position(offset).line + 1);
  } catch (error) {
    // A run that could not start (no backend, no data) leaves no empty folder in the runs list.
    if (!options.resume) rmSync(runDir, { recursive: true, force: true });
    throw error;
  }
  return run.execute(resumeState);
}

class TrainingRun {
  private readonly compiled: CompiledModel;
  private optimizer: tf.Optimizer;
  private readonly stages: TrainingStage[];
  private stage = 0;
  private readonly totalEpochs: number;
  private readonly objective: ObjectiveOptions;
  private schedule: TrainingSchedule;
  private readonly inputShape: number[];
  private step: Stepper;
  private trainingSeconds = 0;
  /** Picks best/: the early-stopping metric (with its min delta) when there is one. */
  private readonly best: BestTracker;

  constructor(
    private readonly graph: ModelGraph, private readonly spec: TrainSpec, private readonly data: TrainingData,
    private readonly runDir: string, private readonly backend: BackendName, private readonly options: TrainOptions,
    private readonly lineOf: (offset: number) => number,
  ) {
    this.compiled = compileModel(graph, { seed: spec.seed });
    loadBaseWeights(graph, this.compiled);
    this.stages = trainingStages(graph, spec);
    this.totalEpochs = this.stages.reduce((sum, s) => sum + s.epochs, 0);
    this.optimizer = makeOptimizer(spec.optimizer);
    this.inputShape = graph.nodes[0]!.outputShape!;
    this.objective = {
      kinds: this.compiled.outputKinds, lossWeights: this.compiled.lossWeights, classCount: data.classCount,
      labelSmoothing: spec.loss.labelSmoothing, classWeights: data.classWeights, weightDecay: spec.optimizer.decay,
    };
    this.schedule = new TrainingSchedule(spec);
    this.best = new BestTracker(spec.earlyStop?.monitor ?? spec.checkpointMonitor, spec.earlyStop?.minDelta ?? 0);
    this.step = this.serialStepper();
  }

  private serialStepper(): Stepper {
    const step = new TrainingStep(this.compiled, this.optimizer, this.objective);
    if (this.gradientFlowInterval > 0) step.recordGradientFlow(this.graph, this.lineOf);
    return new SerialStepper(step);
  }

  private get gradientFlowInterval(): number {
    return this.options.gradientFlowInterval ?? DEFAULT_GRADIENT_FLOW_INTERVAL;
  }

  /** Replica threads for the single-threaded CPU backends when asked for; else this thread. */
  private async startStepper(): Promise<void> {
    const workers = this.options.workers ?? 1;
    if (workers <= 1 || (this.backend !== 'wasm' && this.backend !== 'cpu')) return;
    const stage = this.stages[this.stage]!;
    this.step = await ParallelStep.start({
      graph: stage.graph, seed: this.spec.seed!, optimizer: { ...this.spec.optimizer, lr: learningRateOf(this.optimizer) }, objective: this.objective, backend: this.backend,
      nativeDir: this.options.nativeDir, replicas: workers, compiled: this.compiled, coordinatorOptimizer: this.optimizer, lineOf: this.lineOf,
    });
  }

  async execute(resume?: TrainingState): Promise<DoneEvent | CancelledEvent> {
    try {
      return await this.train(resume);
    } finally {
      await this.step.dispose();
    }
  }

  /** The first epoch (0-based, over all stages) of each stage. */
  private stageStart(stage: number): number {
    return this.stages.slice(0, stage).reduce((sum, s) => sum + s.epochs, 0);
  }

  private announceStage(): void {
    if (this.stages.length === 1) return;
    const stage = this.stages[this.stage]!;
    this.options.onEvent({
      type: 'stage', stage: this.stage + 1, stages: this.stages.length, name: stage.name, fromEpoch: this.stageStart(this.stage) + 1,
      epochs: stage.epochs, learningRate: learningRateOf(this.optimizer), params: stage.params,
    });
  }

  /**
   * Moves to the next stage: thaw its layers, start a fresh optimizer at its learning rate (as
   * Keras does when the model is compiled again) and a step that sees the new trainable set.
   */
  private async enterStage(stage: number): Promise<void> {
    const next = this.stages[stage]!;
    await this.step.pull();
    await this.step.dispose();
    applyTrainability(next.graph, this.compiled.model);
    this.optimizer.dispose();
    this.optimizer = makeOptimizer({ ...this.spec.optimizer, lr: next.learningRate });
    this.stage = stage;
    this.schedule = new TrainingSchedule(this.spec);
    this.step = this.serialStepper();
    await this.startStepper();
    await this.step.push();
  }

  private async train(resume?: TrainingState): Promise<DoneEvent | CancelledEvent> {
    await this.startStepper();
    let startEpoch = 0;
    let skipBatches = 0;
    if (resume) {
      const resumedStage = this.stages.filter((_, s) => this.stageStart(s) <= resume.epoch).length - 1;
      if (resumedStage > 0) await this.enterStage(resumedStage);
      await loadCheckpointWeights(join(this.runDir, 'last'), this.compiled.model, this.compiled.renamed);
      // At a stage's first epoch the saved optimizer belongs to the stage before: start afresh.
      if ((resume.stage ?? 0) === resumedStage) {
        await loadOptimizerState(join(this.runDir, 'last'), this.optimizer);
        setLearningRate(this.optimizer, resume.learningRate);
      }
      startEpoch = resume.epoch;
      skipBatches = resume.batchesDone;
      this.trainingSeconds = resume.trainingSeconds;
      this.best.restore(resume.schedule as ReturnType<BestTracker['snapshot']>);
      await this.step.push();
    }
    let epochsRun = startEpoch;
    let stoppedEarly = false;
    if (skipBatches === 0 && startEpoch === this.stageStart(this.stage)) this.announceStage();
    for (let epoch = startEpoch; epoch < this.totalEpochs; epoch++) {
      if (this.stage + 1 < this.stages.length && epoch === this.stageStart(this.stage + 1)) {
        await this.enterStage(this.stage + 1);
        this.announceStage();
      }
      const outcome = await this.runEpoch(epoch, skipBatches);
      skipBatches = 0;
      if (outcome.cancelled) return this.cancel(epoch, outcome.batchesDone);
      epochsRun = epoch + 1;
      const decision = this.schedule.afterEpoch(epoch + 1, outcome.metrics, learningRateOf(this.optimizer));
      if (decision.learningRate !== learningRateOf(this.optimizer)) {
        setLearningRate(this.optimizer, decision.learningRate);
        await this.step.setLearningRate(decision.learningRate);
      }
      await this.checkpoint(epoch + 1, 0, outcome.metrics);
      if (decision.stop) {
        // Early stopping ends a stage: the next one (fine-tuning) still runs.
        if (this.stage + 1 >= this.stages.length) {
          stoppedEarly = true;
          break;
        }
        epoch = this.stageStart(this.stage + 1) - 1;
      }
    }
    if (this.spec.earlyStop?.restore && this.best.bestEpoch !== undefined) await loadCheckpointWeights(join(this.runDir, 'best'), this.compiled.model, this.compiled.renamed);
    const test = await evaluateSplit(this.compiled, this.data.test, this.inputShape, this.objective, this.spec.batch, undefined, this.evaluationLimit);
    const done: DoneEvent = {
      type: 'done', runDir: this.runDir, testAccuracy: test.accuracy, testLoss: test.loss, trainingSeconds: round(this.trainingSeconds),
      epochsRun, stoppedEarly, bestEpoch: this.best.bestEpoch, ...(this.spec.metrics.top5 ? { testTop5: test.top5 } : {}),
      ...(this.data.event.testIsValidation ? { testIsValidation: true } : {}), ...(test.mostPredicted ? { testMostPredictedClass: test.mostPredicted.classIndex, testMostPredictedShare: test.mostPredicted.share } : {}), ...(this.best.bestEpoch !== undefined ? { checkpointMonitor: this.best.monitor } : {}),
    };
    writeSummary(this.runDir, this.summary(done, test.count));
    this.compiled.model.dispose();
    this.optimizer.dispose();
    this.options.onEvent(done);
    return done;
  }

  private get evaluationLimit(): number | undefined {
    return this.options.evaluateAll ? undefined : this.spec.limit;
  }

  private async runEpoch(epoch: number, skipBatches: number): Promise<{ cancelled: boolean; batchesDone: number; metrics: EpochMetrics }> {
    const { spec, options } = this;
    const split = this.data.train;
    const examples = Math.min(split.count, spec.limit ?? Infinity);
    const batches = Math.ceil(examples / spec.batch);
    options.onEvent({ type: 'epochBegin', epoch: epoch + 1, epochs: this.totalEpochs, learningRate: learningRateOf(this.optimizer), batches });
    const random = seededRandom((spec.seed! * 7919 + epoch) >>> 0);
    const augment = augments(spec.augment) && this.inputShape.length === 3;
    const sums = { loss: 0, correct: 0, top5: 0, count: 0 };
    const started = performance.now();
    let lastEvent = 0;
    let index = 0;
    for await (const batch of split.batches(spec.batch, { shuffle: true, seed: spec.seed! + epoch, limit: spec.limit })) {
      index++;
      if (index <= skipBatches) continue;
      if (augment) augmentBatch(batch.x, batch.count, this.inputShape as [number, number, number], spec.augment, random);
      // Step 1, then every interval-th: the first shows the network as initialised.
      const step = epoch * batches + index;
      const interval = this.gradientFlowInterval;
      let result: [number, number, number];
      if (interval > 0 && (step - 1) % interval === 0) {
        const recording = await this.step.runRecording(batch.x, batch.labels, batch.count, { epoch: epoch + 1, batch: index, step });
        result = recording.result;
        options.onEvent(recording.flow);
      } else {
        result = await this.step.run(batch.x, batch.labels, batch.count);
      }
      const [loss, correct, top5] = result;
      sums.loss += loss * batch.count;
      sums.correct += correct;
      sums.top5 += top5;
      sums.count += batch.count;
      const now = performance.now();
      if (now - lastEvent >= (options.batchEventInterval ?? 250) || index === batches) {
        lastEvent = now;
        options.onEvent({
          type: 'batch', epoch: epoch + 1, batch: index, batches, loss: sums.loss / sums.count, accuracy: sums.correct / sums.count,
          learningRate: learningRateOf(this.optimizer), examplesPerSecond: round(sums.count / ((now - started) / 1000)),
        });
      }
      // In-memory batches resolve as microtasks only: yield to the event loop so that a cancel
      // line on stdin or a signal is seen between batches.
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) {
        await this.step.pull();
        this.trainingSeconds += (performance.now() - started) / 1000;
        return { cancelled: true, batchesDone: index, metrics: { loss: sums.loss / sums.count, accuracy: sums.correct / sums.count } };
      }
    }
    await this.step.pull();
    const seconds = (performance.now() - started) / 1000;
    this.trainingSeconds += seconds;
    const metrics: EpochMetrics = { loss: sums.loss / sums.count, accuracy: sums.correct / sums.count, ...(spec.metrics.top5 ? { top5: sums.top5 / sums.count } : {}) };
    if (this.data.validation) {
      const val = await evaluateSplit(this.compiled, this.data.validation, this.inputShape, this.objective, spec.batch, undefined, this.evaluationLimit);
      Object.assign(metrics, { valLoss: val.loss, valAccuracy: val.accuracy }, spec.metrics.top5 ? { valTop5: val.top5 } : {}, val.mostPredicted ? { valMostPredictedClass: val.mostPredicted.classIndex, valMostPredictedShare: val.mostPredicted.share } : {});
    }
    const event = { type: 'epochEnd' as const, epoch: epoch + 1, epochs: this.totalEpochs, learningRate: learningRateOf(this.optimizer), seconds: round(seconds), examplesPerSecond: round(sums.count / seconds), ...metrics };
    options.onEvent(event);
    return { cancelled: false, batchesDone: index, metrics };
  }

  private async checkpoint(epoch: number, batchesDone: number, metrics: EpochMetrics): Promise<void> {
    const better = this.best.update(epoch, metrics);
    const state = this.state(epoch, batchesDone, metrics);
    const last = join(this.runDir, 'last');
    await saveCheckpoint(last, this.compiled.model, this.optimizer, state);
    this.options.onEvent({ type: 'checkpoint', kind: 'last', path: last, epoch });
    if (better) {
      const best = join(this.runDir, 'best');
      await saveCheckpoint(best, this.compiled.model, undefined, state);
      this.options.onEvent({ type: 'checkpoint', kind: 'best', path: best, epoch, monitor: { name: this.best.monitor, value: this.best.best! } });
    }
  }

  private state(epoch: number, batchesDone: number, metrics?: EpochMetrics): TrainingState {
    return {
      epoch, batchesDone, learningRate: learningRateOf(this.optimizer), trainingSeconds: this.trainingSeconds,
      schedule: this.best.snapshot(), stage: this.stage, ...(metrics ? { metrics: { ...metrics } } : {}),
    };
  }

  private async cancel(epoch: number, batchesDone: number): Promise<CancelledEvent> {
    const last = join(this.runDir, 'last');
    await saveCheckpoint(last, this.compiled.model, this.optimizer, this.state(epoch, batchesDone));
    this.options.onEvent({ type: 'checkpoint', kind: 'last', path: last, epoch });
    this.compiled.model.dispose();
    this.optimizer.dispose();
    const event: CancelledEvent = { type: 'cancelled', runDir: this.runDir, epoch: epoch + 1, batch: batchesDone, checkpoint: last };
    this.options.onEvent(event);
    return event;
  }

  private summary(done: DoneEvent, testCount: number): RunSummary {
    return {
      model: this.graph.name, file: resolve(this.options.file), runDir: this.runDir, backend: this.backend,
      versions: { convlab: VERSION, tfjs: tf.version.tfjs, node: process.version },
      dataset: { name: this.data.event.name, source: this.data.event.source, checksum: this.data.event.checksum, testExamples: testCount, classes: this.data.event.classes },
      params: totals(this.graph).params,
      spec: { ...this.spec, span: undefined, precisionSpan: undefined },
      test: { accuracy: done.testAccuracy, loss: done.testLoss, top5: done.testTop5, ...(done.testIsValidation ? { isValidation: true } : {}) },
      ...(done.checkpointMonitor ? { checkpoint: { epoch: done.bestEpoch, monitor: done.checkpointMonitor, chosenOnTest: done.testIsValidation === true } } : {}),
      trainingSeconds: done.trainingSeconds, epochsRun: done.epochsRun, stoppedEarly: done.stoppedEarly, bestEpoch: done.bestEpoch,
    };
  }
}

declare const __CONVLAB_VERSION__: string | undefined;
const VERSION = typeof __CONVLAB_VERSION__ === 'string' ? __CONVLAB_VERSION__ : 'dev';

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export { ModelFileError };
