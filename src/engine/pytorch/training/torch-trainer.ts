import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Analysis } from '../../../language/passes/analyze';
import { totals, type ModelGraph } from '../../../language/layer-graph';
import type { TrainSpec } from '../../../language/passes/train-spec';
import type { Span } from '../../../language/text';
import { trainingStages } from '../../../language/passes/stages';
import type { CancelledEvent, CheckpointEvent, DoneEvent, EngineEvent } from '../../../protocol/engine';
import type { RunSummary } from '../../../protocol/run-folder';
import { TRAIN_DEFAULTS } from '../../../protocol/train-defaults';
import { selectBackend } from '../../backends/select-backend';
import { tf } from '../../backends/tf';
import { openTrainingData } from '../../data/training-data';
import { loadBaseWeights, loadModelWithBases } from '../../model/base-model';
import { saveCheckpoint, type TrainingState } from '../../model/checkpoint';
import { compileModel, type CompiledModel } from '../../model/compile';
import { ModelFileError } from '../../model/model-file';
import { appendEvent, createRunDir, writeSummary } from '../../training/run-folder';
import type { TrainOptions } from '../../training/trainer';
import { pytorchModuleOf } from '../exchange';
import { writeSafetensors } from '../safetensors';
import { loadStateDict, stateDictOf } from '../state-dict';
import { readStateFile } from '../state-file';
import type { EngineDecision } from './engine-choice';
import type { TorchDevices } from './discovery';
import { prepareData } from './prepared-data';
import { graphInputShape, kernelKeys, runtimeStages, type RuntimeConfig } from './run-config';
import { runRuntime } from './runtime-process';
import { dataParallelProcesses, pytorchDevice } from './torchrun';

/** The run folder's PyTorch files: the exported module, the initial weights, the runtime's config. */
const TORCH_DIR = 'pytorch';
/** The prepared examples: removed when the process ends, written again on resume. */
const DATA_DIR = '.pytorch-data';

/**
 * Trains with PyTorch (python/convlab_torch/train) behind the same events, run folder and
 * checkpoints as the tfjs engine: Node reads the model, checks what the runtime cannot honour
 * (located in the file), prepares the data and ConvLab's initial weights, then relays the
 * runtime's checked events and writes ConvLab's copy of each checkpoint beside its state_dict.
 */
export async function trainWithPytorch(options: TrainOptions, decision: EngineDecision & { python: TorchDevices }): Promise<DoneEvent | CancelledEvent> {
  const loaded = await loadModelWithBases(options.file, options.model, { onProgress: options.onDownload, signal: options.signal, dataDir: options.dataDir });
  const { graph, analysis } = loaded;
  const spec: TrainSpec = {
    ...loaded.spec,
    epochs: options.epochs ?? loaded.spec.epochs,
    batch: options.batch ?? loaded.spec.batch,
    limit: options.limit ?? loaded.spec.limit,
    seed: options.seed ?? loaded.spec.seed ?? TRAIN_DEFAULTS.seed,
  };
  checkHonoured(spec, decision.python, options.file, analysis);
  const processes = dataParallelProcesses(options.gpus, spec, decision.python, options.file, analysis);
  const device = pytorchDevice(options.backend, decision.python);
  const module = pytorchModuleOf(options.file, graph, analysis, spec);
  if (options.resume && !existsSync(join(options.resume, 'last', 'training.pt'))) {
    throw new ModelFileError(`${options.resume}: its last/ checkpoint was not written by the pytorch engine (no training.pt); resume it with --engine tfjs`);
  }
  const runDir = options.resume ? resolve(options.resume) : createRunDir(resolve(options.runsDir ?? 'runs'), graph.name);
  const record = (event: EngineEvent) => {
    appendEvent(runDir, event);
    options.onEvent(event);
  };
  record({
    type: 'start', runDir, model: graph.name, file: options.file, params: totals(graph).params,
    epochs: spec.epochs + (spec.finetune?.epochs ?? 0), batchSize: spec.batch, ...(options.resume ? { resumedFrom: join(runDir, 'last') } : {}),
  });
  const found = decision.python;
  const dataDir = join(runDir, DATA_DIR);
  let compiled: CompiledModel | undefined;
  try {
    // Gradient flow is measured inside the tfjs training step; this engine says so instead of staying silent.
    const flowNote = (options.gradientFlowInterval ?? 20) > 0 ? '; gradient flow is recorded by the tfjs engine only, so this run has none' : '';
    record({ type: 'backend', name: device === 'cuda' ? 'cuda' : 'cpu', reason: `${decision.reason}${flowNote}`, tried: [], engine: 'pytorch', device: device === 'cuda' ? 'cuda:0' : device });
    const data = await openTrainingData(graph, spec, { file: options.file, dataDir: options.dataDir, onProgress: options.onDownload, signal: options.signal, evaluateAll: options.evaluateAll });
    record(data.event);
    const prepared = await prepareData(data, graphInputShape(graph), dataDir, spec.limit, options.evaluateAll === true, options.signal);
    await selectBackend({ cpuOnly: true });
    compiled = compileModel(graph, { seed: spec.seed });
    loadBaseWeights(graph, compiled);
    const torchDir = join(runDir, TORCH_DIR);
    mkdirSync(torchDir, { recursive: true });
    const modulePath = join(torchDir, `${module.className}.py`);
    writeFileSync(modulePath, module.code);
    const initialWeights = join(torchDir, 'initial.safetensors');
    if (!options.resume) writeSafetensors(initialWeights, stateDictOf(compiled.model, graph, module.tensors), { format: 'pt', source: 'ConvLab initialisation' });
    const config: RuntimeConfig = {
      module: modulePath, className: module.className, ...(options.resume ? {} : { initialWeights }), runDir, resume: options.resume !== undefined,
      device, precision: spec.precision, stages: runtimeStages(trainingStages(graph, spec), module), batch: spec.batch, seed: spec.seed!,
      optimizer: spec.optimizer, kernels: kernelKeys(module),
      objective: { kinds: compiled.outputKinds, lossWeights: compiled.lossWeights, classCount: data.classCount, labelSmoothing: spec.loss.labelSmoothing, classWeights: data.classWeights ? Array.from(data.classWeights) : null },
      augment: spec.augment, earlyStop: spec.earlyStop ?? null, reduceLr: spec.reduceLr ?? null, checkpointMonitor: spec.checkpointMonitor,
      top5: spec.metrics.top5, testIsValidation: data.event.testIsValidation === true, data: prepared,
      batchEventInterval: options.batchEventInterval ?? 250, workers: device === 'cuda' ? 4 : 0,
    };
    const configPath = join(torchDir, 'config.json');
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
    const model = compiled;
    const final = await runRuntime(found.python, configPath, {
      processes,
      signal: options.signal,
      onEvent: record,
      onCheckpoint: (event) => writeConvlabCheckpoint(event, model, graph, module.tensors),
    });
    if (final.type === 'done') writeSummary(runDir, summaryOf(final, graph, spec, options.file, runDir, data.event, prepared.test.count, found));
    record(final);
    return final;
  } catch (error) {
    if (!options.resume && !existsSync(join(runDir, 'last'))) rmSync(runDir, { recursive: true, force: true });
    throw error;
  } finally {
    compiled?.model.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Settings this engine cannot honour here, refused at their line before anything runs. */
function checkHonoured(spec: TrainSpec, found: TorchDevices, file: string, analysis: Analysis): void {
  const at = (span: Span | undefined) => {
    if (!span) return undefined;
    const { line, character } = analysis.lines.position(span.start);
    return { file, line: line + 1, column: character + 1 };
  };
  if (spec.precision === 'fp16' && !found.cuda) {
    throw new ModelFileError(`precision fp16 needs a CUDA device (float16 autocast with loss scaling), and torch ${found.torch} at ${found.python} has none: use bf16 or fp32`, at(spec.precisionSpan));
  }
  if (spec.precision === 'bf16' && !found.cuda && found.mps) {
    throw new ModelFileError(`precision bf16: torch ${found.torch} has no bfloat16 autocast on MPS: use fp32`, at(spec.precisionSpan));
  }
}

/** ConvLab's model.json and weights.bin beside the runtime's state_dict, so every view reads the checkpoint. */
async function writeConvlabCheckpoint(event: CheckpointEvent, compiled: CompiledModel, graph: ModelGraph, tensors: Parameters<typeof loadStateDict>[2]): Promise<void> {
  const state = readStateFile(join(event.path, 'state_dict.safetensors'));
  loadStateDict(compiled.model, graph, tensors, state);
  const training = JSON.parse(readFileSync(join(event.path, 'state.json'), 'utf8')) as TrainingState;
  const staging = `${event.path}.convlab`;
  await saveCheckpoint(staging, compiled.model, undefined, training);
  for (const name of ['model.json', 'weights.bin']) renameSync(join(staging, name), join(event.path, name));
  rmSync(staging, { recursive: true, force: true });
}

function summaryOf(done: DoneEvent, graph: ModelGraph, spec: TrainSpec, file: string, runDir: string, dataset: { name: string; source: string; checksum: string; classes: string[] }, testCount: number, found: TorchDevices): RunSummary {
  return {
    model: graph.name, file: resolve(file), runDir, backend: found.cuda ? 'cuda' : 'cpu', engine: 'pytorch',
    versions: { convlab: VERSION, tfjs: tf.version.tfjs, node: process.version, torch: found.torch, python: found.pythonVersion },
    dataset: { name: dataset.name, source: dataset.source, checksum: dataset.checksum, testExamples: testCount, classes: dataset.classes },
    params: totals(graph).params,
    spec: { ...spec, span: undefined, precisionSpan: undefined },
    test: { accuracy: done.testAccuracy, loss: done.testLoss, top5: done.testTop5, ...(done.testIsValidation ? { isValidation: true } : {}) },
    ...(done.checkpointMonitor ? { checkpoint: { epoch: done.bestEpoch, monitor: done.checkpointMonitor, chosenOnTest: done.testIsValidation === true } } : {}),
    trainingSeconds: done.trainingSeconds, epochsRun: done.epochsRun, stoppedEarly: done.stoppedEarly, bestEpoch: done.bestEpoch,
  };
}

declare const __CONVLAB_VERSION__: string | undefined;
const VERSION = typeof __CONVLAB_VERSION__ === 'string' ? __CONVLAB_VERSION__ : 'dev';
