/**
 * ConvLab's custom LSP messages, declared once for the client (src/extension) and the server
 * (src/server), as rust-analyzer's lsp_ext and vscode-eslint's shared protocol do.
 * Method names, parameter/result types and the RequestType objects of the LSP wire protocol
 * (vscode-languageserver-protocol, which client and server share; not VS Code's API).
 */
import { RequestType } from 'vscode-languageserver-protocol';
import type { GraphJson } from './graph';
import type { JsonRange, SummaryJson } from './summary';

/** `convlab/modelGraph`: every model of a document as a graph for the architecture diagram. */
export const MODEL_GRAPH_METHOD = 'convlab/modelGraph';
export interface ModelGraphParams {
  uri: string;
}
export interface ModelGraphResult {
  /** The document version the graphs were computed from. */
  version: number;
  graphs: GraphJson[];
  /** Whether the document has errors: the diagram may then be partial. */
  hasErrors: boolean;
}

/** `convlab/summary`: the same object as `convlab summary --json`. */
export const SUMMARY_METHOD = 'convlab/summary';
export interface SummaryParams {
  uri: string;
}
export type SummaryResult = SummaryJson;

/** `convlab/modelAt`: which model (and layer) a position is in, for commands run from the editor. */
export const MODEL_AT_METHOD = 'convlab/modelAt';
export interface ModelAtParams {
  uri: string;
  position: { line: number; character: number };
}
export interface ModelAtResult {
  model?: string;
  /** The layer's display name when the position is on a layer line. */
  layer?: string;
  /** Whether that layer has filters (a convolution), for the Feature maps command. */
  hasFilters?: boolean;
}

/** `convlab/pytorch`: a model as PyTorch code (docs/pytorch.md), or why it cannot be exported. */
export const PYTORCH_METHOD = 'convlab/pytorch';
export interface PytorchParams {
  uri: string;
  model: string;
}
export type PytorchResult =
  | { code: string; className: string; parameterCount: number }
  | { error: string; range?: JsonRange };

/** Arguments of the commands that code lenses carry (`convlab.train`, `convlab.showArchitecture`, …). */
export interface ModelCommandArgs {
  uri: string;
  model: string;
  layer?: string;
  range?: JsonRange;
}

/**
 * What the client tells the server when it starts it (`initializationOptions`). In an untrusted
 * workspace (VS Code's Restricted Mode) the server reaches no network: a `pretrained` URL is
 * not fetched. A client that says nothing is trusted: outside VS Code there is no such mode.
 */
export interface ServerInitializationOptions {
  workspaceTrusted?: boolean;
}

/** `convlab/workspaceTrusted`: the user trusted the workspace; URLs may now be fetched. */
export const WORKSPACE_TRUSTED_NOTIFICATION = 'convlab/workspaceTrusted';

export { COMMANDS } from './commands';

/**
 * The custom requests as typed RequestType objects, built once for both sides: the client sends
 * them, the server answers them, and a renamed field breaks the build on both.
 */
export const ModelGraphRequest = new RequestType<ModelGraphParams, ModelGraphResult, void>(MODEL_GRAPH_METHOD);
export const SummaryRequest = new RequestType<SummaryParams, SummaryResult, void>(SUMMARY_METHOD);
export const ModelAtRequest = new RequestType<ModelAtParams, ModelAtResult, void>(MODEL_AT_METHOD);
export const PytorchRequest = new RequestType<PytorchParams, PytorchResult, void>(PYTORCH_METHOD);
