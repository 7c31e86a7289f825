import { readFileSync } from 'node:fs';
import { analyze, type Analysis } from '../../language/passes/analyze';
import type { ModelGraph } from '../../language/layer-graph';
import { defaultTrainSpec, type TrainSpec } from '../../language/passes/train-spec';
import type { ReadBaseModel } from '../../language/passes/pretrained';
import { baseModelReader } from './base-location';
import type { ReadStateDict } from '../../language/passes/cnn-base';
import { stateDictReader } from '../pytorch/state-header';
import { datasetClassCounter } from '../data/class-count';

/** A problem in the model file, located as compilers print it (1-based). */
export class ModelFileError extends Error {
  constructor(message: string, readonly location?: { file: string; line: number; column: number }) {
    super(location ? `${location.file}:${location.line}:${location.column}: error: ${message}` : message);
    this.name = 'ModelFileError';
  }
}

export interface LoadedModel {
  analysis: Analysis;
  graph: ModelGraph;
  spec: TrainSpec;
}

/**
 * Reads and analyses a model file and picks the model to train: `--model NAME`, else the model
 * of the file's first train section, else the only model. Refuses a file with errors, naming the first.
 */
export function loadModelFile(file: string, modelName?: string, readBaseModel: ReadBaseModel = baseModelReader(file), dataDir?: string, readStateDict: ReadStateDict = stateDictReader(file)): LoadedModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelFileError(`${file}: cannot read the model file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const analysis = analyze(text, { readBaseModel, readStateDict, datasetClasses: datasetClassCounter(file, { dataDir }) });
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const first = errors[0]!;
    const { line, character } = analysis.lines.position(first.span.start);
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more; convlab summary lists them)` : '';
    throw new ModelFileError(`${first.message}${more}`, { file, line: line + 1, column: character + 1 });
  }
  const name = modelName ?? analysis.trains[0]?.model ?? (analysis.models.length === 1 ? analysis.models[0]!.name : undefined);
  if (!name) throw new ModelFileError(`${file} has ${analysis.models.length} models and no train section: choose one with --model (${analysis.models.map((m) => m.name).join(', ')})`);
  const graph = analysis.models.find((m) => m.name === name);
  if (!graph) throw new ModelFileError(`${file} has no model named '${name}' (models: ${analysis.models.map((m) => m.name).join(', ') || 'none'})`);
  const spec = analysis.trains.find((t) => t.model === name) ?? defaultTrainSpec(name, graph.span);
  return { analysis, graph, spec };
}
