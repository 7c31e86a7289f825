import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Analysis } from '../../language/passes/analyze';
import type { ModelGraph } from '../../language/layer-graph';
import { totals } from '../../language/layer-graph';
import { exportPytorch, type PytorchModule } from '../../language/pytorch/export';
import { PytorchExportError } from '../../language/pytorch/state';
import type { TrainSpec } from '../../language/passes/train-spec';
import { selectBackend } from '../backends/select-backend';
import { loadCheckpointWeights, saveCheckpoint } from '../model/checkpoint';
import { compileModel } from '../model/compile';
import { loadModelFile, ModelFileError } from '../model/model-file';
import { createRunDir, writeSummary } from '../training/run-folder';
import { alignByOrder } from './align';
import { checkStateDict, loadStateDict, stateDictOf } from './state-dict';
import { readStateFile, writeStateFiles } from './state-file';

/** The exporter's module for a model file's model, its errors located in the file. */
export function pytorchModuleOf(file: string, graph: ModelGraph, analysis: Analysis, spec?: TrainSpec): PytorchModule {
  try {
    return exportPytorch(graph, analysis, spec, basename(file));
  } catch (error) {
    if (!(error instanceof PytorchExportError)) throw error;
    const { line, character } = analysis.lines.position(error.span.start);
    throw new ModelFileError(`cannot export to PyTorch: ${error.message}`, { file, line: line + 1, column: character + 1 });
  }
}

export interface ExportOptions {
  file: string;
  model?: string;
  /** The folder to write into (made if missing). */
  out: string;
  /** A run folder whose weights (best/, else last/) are exported with the code. */
  run?: string;
}

/** `convlab export --to pytorch`: the module's .py, and with a run its state_dict. */
export async function exportToPytorch(options: ExportOptions): Promise<{ files: string[]; module: PytorchModule }> {
  const loaded = loadModelFile(options.file, options.model);
  const module = pytorchModuleOf(options.file, loaded.graph, loaded.analysis, loaded.spec);
  mkdirSync(options.out, { recursive: true });
  const stem = join(options.out, module.className);
  const files: string[] = [];
  if (options.run) {
    const dir = ['best', 'last'].map((k) => join(options.run!, k)).find((d) => existsSync(join(d, 'model.json')));
    if (!dir) throw new ModelFileError(`${options.run} has no best/ or last/ checkpoint to export`);
    await selectBackend({ cpuOnly: true });
    const compiled = compileModel(loaded.graph, { seed: 1 });
    try {
      await loadCheckpointWeights(dir, compiled.model);
      const state = stateDictOf(compiled.model, loaded.graph, module.tensors);
      files.push(...writeStateFiles(stem, state, { format: 'pt', source: 'ConvLab', model: loaded.graph.name, checkpoint: resolve(dir) }));
    } finally {
      compiled.model.dispose();
    }
  }
  writeFileSync(`${stem}.py`, module.code);
  files.unshift(`${stem}.py`);
  return { files, module };
}

export interface ImportOptions {
  file: string;
  model?: string;
  /** A state_dict: .safetensors, .pt or .pth. */
  weights: string;
  /** Match tensors by order and shape instead of by key (another network's names: torchvision's). */
  byOrder?: boolean;
  runsDir?: string;
}

/**
 * Imports a PyTorch state_dict into a new run folder (summary.json, best/ and last/), so that
 * inspect, eval, Grad-CAM and the service read it like a trained run. Every mismatch is reported
 * at once, located at its layer's line; the run folder appears only when it is complete.
 */
export async function importWeights(options: ImportOptions): Promise<string> {
  const loaded = loadModelFile(options.file, options.model);
  const { graph, analysis } = loaded;
  const module = pytorchModuleOf(options.file, graph, analysis, loaded.spec);
  let state = readStateFile(options.weights);
  if (options.byOrder) {
    const aligned = alignByOrder(module.tensors, state);
    if ('problem' in aligned) {
      const node = aligned.tensor && graph.nodes[aligned.tensor.node];
      const at = node ? analysis.lines.position(node.span.start) : undefined;
      throw new ModelFileError(`${options.weights} does not fit model ${graph.name}: ${aligned.problem}`, at && { file: options.file, line: at.line + 1, column: at.character + 1 });
    }
    state = aligned.state;
  }
  const problems = checkStateDict(graph, module.tensors, state);
  if (problems.length > 0) {
    const lines = problems.map((p) => {
      if (!p.node) return `  ${options.weights}: ${p.message}`;
      const { line, character } = analysis.lines.position(p.node.span.start);
      return `  ${options.file}:${line + 1}:${character + 1}: ${p.message}`;
    });
    throw new ModelFileError(`${options.weights} does not fit model ${graph.name} (${problems.length} mismatch${problems.length === 1 ? '' : 'es'}):\n${lines.join('\n')}`);
  }
  await selectBackend({ cpuOnly: true });
  const compiled = compileModel(graph, { seed: 1 });
  const runsDir = resolve(options.runsDir ?? 'runs');
  const runDir = createRunDir(runsDir, graph.name);
  const staging = `${runDir}.importing`;
  try {
    loadStateDict(compiled.model, graph, module.tensors, state);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const training = { epoch: 0, batchesDone: 0, learningRate: loaded.spec.optimizer.lr, trainingSeconds: 0, schedule: {} };
    await saveCheckpoint(join(staging, 'last'), compiled.model, undefined, training);
    await saveCheckpoint(join(staging, 'best'), compiled.model, undefined, training);
    writeSummary(staging, {
      model: graph.name, file: resolve(options.file), runDir,
      imported: { from: resolve(options.weights), tensors: module.tensors.length },
      params: totals(graph).params, spec: { ...loaded.spec, span: undefined },
    });
    // createRunDir made the folder to claim its name; the complete one takes its place.
    rmSync(runDir, { recursive: true, force: true });
    renameSync(staging, runDir);
    return runDir;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
    throw error;
  } finally {
    compiled.model.dispose();
  }
}
