/**
 * The custom LSP requests of src/protocol/lsp.ts as typed RequestType objects: a renamed field
 * breaks the build here, not a run.
 */
import { RequestType } from 'vscode-languageclient/node';
import {
  MODEL_AT_METHOD, MODEL_GRAPH_METHOD, PYTORCH_METHOD, SUMMARY_METHOD,
  type ModelAtParams, type ModelAtResult, type ModelGraphParams, type ModelGraphResult, type PytorchParams, type PytorchResult, type SummaryParams, type SummaryResult,
} from '../../protocol/lsp';

export const ModelGraphRequest = new RequestType<ModelGraphParams, ModelGraphResult, void>(MODEL_GRAPH_METHOD);
export const SummaryRequest = new RequestType<SummaryParams, SummaryResult, void>(SUMMARY_METHOD);
export const ModelAtRequest = new RequestType<ModelAtParams, ModelAtResult, void>(MODEL_AT_METHOD);
export const PytorchRequest = new RequestType<PytorchParams, PytorchResult, void>(PYTORCH_METHOD);
