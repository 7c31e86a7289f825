import { fileURLToPath } from 'node:url';
import { LSPErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { hasErrors } from '../language/passes/analyze';
import { hasFilters } from '../language/editor/instances';
import { graphJson, layersAt } from '../language/editor/query';
import { layerNames, summarize } from '../language/passes/summarize';
import {
  ModelAtRequest, ModelGraphRequest, SummaryRequest, type ModelAtParams, type ModelAtResult, type ModelGraphResult, type SummaryResult,
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
}

export function modelGraph(document: AnalyzedDocument): ModelGraphResult {
  const { analysis } = document;
  return { version: document.version, graphs: analysis.models.map((graph) => graphJson(graph, analysis)), hasErrors: hasErrors(analysis) };
}

/** The same object as `convlab summary --json`, with the file's path where it has one. */
export function summary(document: AnalyzedDocument): SummaryResult {
  const file = document.uri.startsWith('file:') ? fileURLToPath(document.uri) : document.uri;
  return summarize(document.analysis, file);
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
