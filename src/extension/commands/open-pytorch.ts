import * as vscode from 'vscode';
import type { ModelService } from '../lsp/client';
import { resolveTarget } from './targets';

/**
 * "Open as PyTorch": the model as a PyTorch nn.Module (the server's exporter, as `convlab export
 * --to pytorch` writes it) in a new untitled Python editor beside the model.
 */
export async function openAsPytorchCommand(models: ModelService, arg: unknown): Promise<void> {
  const target = await resolveTarget(models, arg);
  if (!target) return;
  const result = await models.pytorch(target.document.uri, target.model);
  if ('error' in result) {
    void vscode.window.showErrorMessage(`ConvLab: ${target.model} cannot be exported to PyTorch: ${result.error}`);
    return;
  }
  const document = await vscode.workspace.openTextDocument({ language: 'python', content: result.code });
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
}
