/**
 * The walkthrough's first step: a copy of the LeNet-5 sample to work on. Into the first workspace
 * folder when one is open (runs then land in its runs/), else into the extension's storage, since
 * the extension's own folder may be read-only and is replaced on update.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../../protocol/commands';

export const OPEN_SAMPLE_COMMAND = COMMANDS.openSample;

const SAMPLE = 'lenet5.cnn';

export async function openSampleCommand(context: vscode.ExtensionContext): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? context.globalStorageUri;
  const target = vscode.Uri.joinPath(folder, SAMPLE);
  if (!(await exists(target))) {
    await vscode.workspace.fs.createDirectory(folder);
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(context.extensionUri, 'samples', SAMPLE), target);
  }
  await vscode.window.showTextDocument(target);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
