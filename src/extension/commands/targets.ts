/**
 * Which file and model a command acts on: the arguments a code lens carries (ModelCommandArgs),
 * or, from the palette or a keybinding, the model (and layer) under the active editor's cursor.
 */
import * as vscode from 'vscode';
import type { ModelCommandArgs } from '../../protocol/lsp';
import { CNN_LANGUAGE, type ModelService } from '../lsp/client';

export interface CommandTarget {
  document: vscode.TextDocument;
  model: string;
  layer?: string;
}

function isModelCommandArgs(value: unknown): value is ModelCommandArgs {
  return typeof value === 'object' && value !== null && typeof (value as ModelCommandArgs).uri === 'string' && typeof (value as ModelCommandArgs).model === 'string';
}

/** Undefined (after telling the user why) when there is no model to act on. */
export async function resolveTarget(models: ModelService, arg: unknown, options: { wantLayer?: boolean } = {}): Promise<CommandTarget | undefined> {
  if (isModelCommandArgs(arg)) {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(arg.uri));
    return { document, model: arg.model, layer: arg.layer };
  }
  const editor = vscode.window.activeTextEditor;
  const document = arg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(arg) : editor?.document;
  if (!document || document.languageId !== CNN_LANGUAGE) {
    void vscode.window.showInformationMessage('ConvLab: open a .cnn model file first (samples/lenet5.cnn is a good start).');
    return undefined;
  }
  const position = editor?.document === document ? editor.selection.active : new vscode.Position(0, 0);
  const at = await models.modelAt(document.uri, position);
  if (at.model) return { document, model: at.model, layer: options.wantLayer ? at.layer : undefined };
  const names = (await models.summary(document.uri)).models.map((m) => m.name);
  if (names.length === 0) {
    void vscode.window.showWarningMessage(`ConvLab: ${vscode.workspace.asRelativePath(document.uri)} has no model.`);
    return undefined;
  }
  const model = names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { placeHolder: 'Which model?' });
  return model ? { document, model } : undefined;
}
