import { fileURLToPath } from 'node:url';
import { LSPErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { hasErrors } from '../language/passes/analyze';
import { hasFilters } from '../language/editor/instances';
import { graphJson, layersAt } from '../language/editor/query';
import { layerNames, summarize } from '../language/passes/summarize';
import { exportPytorch } from '../language/pytorch/export';
import { PytorchExportError } from '../language/pytorch/state';
import { imageFolderTrainExamples } from '../engine/data/class-count';
import {
  ModelAtRequest, ModelGraphRequest, PytorchRequest, SummaryRequest, type ModelAtParams, type ModelAtResult, type ModelGraphResult, type PytorchResult, type SummaryResult,
} from '../protocol/lsp';
import type { AnalyzedDocument, DocumentStore } from './documents';


export function registerRequests(connection: Connection, store: DocumentStore): void {
  const open = (uri: string): AnalyzedDocument => {
    const document = store.get(uri);
    // The server knows open documents only; the client opens a file before asking about it.
    if (!document) throw new ResponseError(LSPErrorCodes.RequestFailed, `${uri} is not open in the editor`);
    return document;
  };
  connection.onRequest(ModelGraphRequest, (params) => modelGraph(open(params.uri)));
  connection.onRequest(SummaryRequest, (params) => summary(open(params.uri)));
  connection.onRequest(ModelAtRequest, (params) => modelAt(open(params.uri), params.position));
  connection.onRequest(PytorchRequest, (params) => pytorch(open(params.uri), params.model));
}

/** The model as PyTorch code, the same the CLI's export writes; an error with its range. */
export function pytorch(document: AnalyzedDocument, model: string): PytorchResult {
  const { analysis } = document;
  if (hasErrors(analysis)) {
    const first = analysis.diagnostics.find((d) => d.severity === 'error')!;
    return { error: `fix the model's errors first: ${first.message}`, range: document.rangeOf(first.span) };
  }
  const graph = analysis.models.find((m) => m.name === model);
  if (!graph) return { error: `no model named ${model}` };
  const file = document.uri.startsWith('file:') ? fileURLToPath(document.uri) : document.uri;
  try {
    const exported = exportPytorch(graph, analysis, analysis.trains.find((t) => t.model === model), file.split(/[\\/]/).pop());
    return { code: exported.code, className: exported.className, parameterCount: exported.parameterCount };
  } catch (error) {
    if (error instanceof PytorchExportError) return { error: error.message, range: document.rangeOf(error.span) };
    throw error;
  }
}

export function modelGraph(document: AnalyzedDocument): ModelGraphResult {
  const { analysis } = document;
  return { version: document.version, graphs: analysis.models.map((graph) => graphJson(graph, analysis)), hasErrors: hasErrors(analysis) };
}

/** The same object as `convlab summary --json`, with the file's path where it has one. */
export function summary(document: AnalyzedDocument): SummaryResult {
  const file = document.uri.startsWith('file:') ? fileURLToPath(document.uri) : document.uri;
  const result = summarize(document.analysis, file);
  if (!document.uri.startsWith('file:')) return result;
  // An image folder's size, from its listing: the time estimate must not take the limit (6,000)
  // for the size of a 243-image folder.
  const models = result.models.map((model) => {
    const spec = document.analysis.trains.find((t) => t.model === model.name);
    if (model.trainExamples !== undefined || !spec?.data) return model;
    const listed = imageFolderTrainExamples(file, spec.data.source, spec.validation.kind === 'holdout' ? spec.validation.fraction : 0);
    if (listed === undefined) return model;
    return { ...model, trainExamples: spec.limit === undefined ? listed : Math.min(listed, spec.limit) };
  });
  return { ...result, models };
}

/**
 * The model a position belongs to (the model declared around it, or the one a train section
 * trains) and, on a layer line of that model's body, the layer's display name.
 */
export function modelAt(document: AnalyzedDocument, position: ModelAtParams['position']): ModelAtResult {
  const { analysis } = document;
  const offset = document.offsetAt(position);
  const decl = analysis.document.declarations.find((d) => d.span.start <= offset && offset <= d.span.end);
  if (!decl || decl.kind === 'block') return {};
  if (decl.kind === 'train') return decl.model ? { model: decl.model.name } : {};
  const model = decl.name.name;
  const found = layersAt(analysis, offset).find((at) => at.model.nameSpan.start === decl.name.span.start);
  const node = found?.nodes.find((n) => n.scope.length === 0);
  if (!found || !node) return { model };
  return { model, layer: layerNames(found.model)[node.id], hasFilters: hasFilters(node.op) };
}
