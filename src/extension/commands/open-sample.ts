/**
 * The walkthroughs' way into a sample: a copy of it to work on, with the cursor on a line and a
 * view beside it. Into the first workspace folder when one is open (runs then land in its runs/),
 * else into the extension's storage, since the extension's own folder may be read-only and is
 * replaced on update. An existing copy is opened as it is, so a student's edits stay.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../../protocol/commands';
import { parseOpenSampleArgs, type SampleView } from './open-sample-args';

export const OPEN_SAMPLE_COMMAND = COMMANDS.openSample;

const VIEW_COMMANDS: Record<SampleView, string> = { architecture: COMMANDS.showArchitecture, summary: COMMANDS.showSummary };

export async function openSampleCommand(context: vscode.ExtensionContext, args: readonly unknown[] = []): Promise<void> {
  const { sample, line, view } = parseOpenSampleArgs(args);
  const source = vscode.Uri.joinPath(context.extensionUri, 'samples', sample);
  if (!(await exists(source))) throw new Error(`openSample: there is no sample ${sample} in this version of ConvLab`);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? context.globalStorageUri;
  const target = vscode.Uri.joinPath(folder, sample);
  if (!(await exists(target))) {
    await vscode.workspace.fs.createDirectory(folder);
    await vscode.workspace.fs.copy(source, target);
  }
  const document = await vscode.workspace.openTextDocument(target);
  const at = line === undefined ? undefined : new vscode.Position(Math.min(line, document.lineCount) - 1, 0);
  const editor = await vscode.window.showTextDocument(document, at ? { selection: new vscode.Range(at, at), preview: false } : { preview: false });
  if (at) editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenter);
  if (view) await vscode.commands.executeCommand(VIEW_COMMANDS[view]);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
