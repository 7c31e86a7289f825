import type { BlockDecl, Document, ModelDecl, Statement, TrainDecl } from '../ast';
import { DiagnosticSink, type Diagnostic } from '../diagnostic-sink';
import type { ModelGraph } from '../layer-graph';
import { instantiateModel } from './instantiate';
import type { ReadBaseModel } from './pretrained';
import type { ReadStateDict } from './cnn-base';
import { checkHeadClasses, type DatasetClassCount } from './dataset-classes';
import { checkStages } from './stages';
import { parse } from './parser';
import { LineIndex } from '../text';
import { readTrainSection, type TrainSpec } from './train-spec';

/** Everything known about one model file: the pipeline parse → declarations → instantiate → validate. */
export interface Analysis {
  text: string;
  lines: LineIndex;
  document: Document;
  models: ModelGraph[];
  trains: TrainSpec[];
  blocks: ReadonlyMap<string, BlockDecl>;
  modelDecls: ReadonlyMap<string, ModelDecl>;
  diagnostics: Diagnostic[];
}

export interface AnalyzeOptions {
  /** Reads the model.json of a `pretrained` line (the host knows where the file lives). */
  readBaseModel?: ReadBaseModel;
  /** Reads the state_dict a `pretrained MODEL weights "…"` line names. */
  readStateDict?: ReadStateDict;
  /** How many classes a `data` line's dataset has, where the host can tell (image folders on disk). */
  datasetClasses?: DatasetClassCount;
}

/** Analyses a model file. Never throws: every problem becomes a diagnostic. */
export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  const lines = new LineIndex(text);
  const sink = new DiagnosticSink();
  const { document, errors } = parse(text);
  for (const error of errors) sink.error('syntax', error.span, error.message, error.hint);

  const models = new Map<string, ModelDecl>();
  const blocks = new Map<string, BlockDecl>();
  const trainDecls: TrainDecl[] = [];
  for (const decl of document.declarations) {
    if (decl.kind === 'train') {
      trainDecls.push(decl);
      continue;
    }
    const name = decl.name.name;
    if (models.has(name) || blocks.has(name)) {
      sink.error('duplicate-declaration', decl.name.span, `'${name}' is declared twice`, 'rename one of them');
      continue;
    }
    if (decl.kind === 'model') models.set(name, decl);
    else blocks.set(name, decl);
  }

  const graphs = [...models.values()].map((decl) => instantiateModel(decl, { models, blocks, readBaseModel: options.readBaseModel, readStateDict: options.readStateDict, lineOf: (offset) => lines.position(offset).line + 1 }, sink));
  const modelNames = new Set(models.keys());
  const trains: TrainSpec[] = [];
  for (const decl of trainDecls) {
    const spec = readTrainSection(decl, modelNames, sink);
    if (!spec) continue;
    trains.push(spec);
    checkHeadClasses(decl, spec, graphs.find((g) => g.name === spec.model), models, options.datasetClasses, sink);
  }
  for (const spec of trains) checkStages(spec, graphs.find((g) => g.name === spec.model), sink);
  warnUnusedBlocks(document, blocks, sink);

  const diagnostics = sink.items.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { text, lines, document, models: graphs, trains, blocks, modelDecls: models, diagnostics };
}

function warnUnusedBlocks(document: Document, blocks: ReadonlyMap<string, BlockDecl>, sink: DiagnosticSink): void {
  const called = new Set<string>();
  const visit = (statements: Statement[]): void => {
    for (const s of statements) {
      if (s.kind === 'call') called.add(s.callee.name);
      else if (s.kind === 'merge') s.branches.forEach((b) => visit(b.statements));
      else if (s.kind === 'residual') {
        visit(s.body.statements);
        if (s.shortcut) visit(s.shortcut.statements);
      } else if (s.kind === 'repeat' || s.kind === 'aux') visit(s.body.statements);
      else if (s.kind === 'if') {
        visit(s.then.statements);
        if (s.otherwise) visit(s.otherwise.statements);
      }
    }
  };
  for (const decl of document.declarations) {
    if (decl.kind === 'model' && decl.body) visit(decl.body.statements);
    if (decl.kind === 'block') visit(decl.body.statements);
  }
  for (const [name, block] of blocks) {
    if (!called.has(name)) sink.add({ severity: 'warning', code: 'unused-block', message: `block ${name} is never used`, span: block.name.span });
  }
}

export function hasErrors(analysis: Analysis): boolean {
  return analysis.diagnostics.some((d) => d.severity === 'error');
}
