/**
 * Which finished run a command acts on: the argument (a path, or a folder URI from the explorer),
 * else a pick among the runs under each workspace folder's `convlab.runsDir`, newest first, else
 * a folder dialog. A folder that cannot be used is refused with the reason.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { baseDirFor, readSettings } from '../config';
import { resolveFolder } from '../jobs/engine-command';
import { describeRun, listRuns, unusableRunReason, type RunEntry } from './run-list';

export async function pickFinishedRun(arg: unknown, action: string): Promise<RunEntry | undefined> {
  const given = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? arg.fsPath : undefined;
  const runDir = given ?? (await choose(action));
  if (!runDir) return undefined;
  if (!existsSync(runDir)) {
    void vscode.window.showWarningMessage(`ConvLab: ${runDir} does not exist.`);
    return undefined;
  }
  const run = describeRun(runDir);
  const why = unusableRunReason(run);
  if (why) {
    void vscode.window.showWarningMessage(`ConvLab: cannot ${action} ${runDir}: ${why}.`);
    return undefined;
  }
  return run;
}

async function choose(action: string): Promise<string | undefined> {
  const runsDirs = runsFolders();
  const runs = runsDirs.flatMap((dir) => listRuns(dir)).filter((r) => unusableRunReason(r) === undefined);
  const browse = { label: '$(folder-opened) Browse for a run folder…', runDir: undefined as string | undefined };
  if (runs.length > 0) {
    const picked = await vscode.window.showQuickPick(
      [
        ...runs.map((r) => ({
          label: r.name,
          description: r.testAccuracy !== undefined ? `test accuracy ${(r.testAccuracy * 100).toFixed(2)}%` : undefined,
          detail: vscode.workspace.asRelativePath(r.runDir),
          runDir: r.runDir as string | undefined,
        })),
        browse,
      ],
      { placeHolder: `Which run to ${action}? (newest first)`, matchOnDetail: true },
    );
    if (!picked) return undefined;
    if (picked.runDir) return picked.runDir;
  }
  const folder = await vscode.window.showOpenDialog({
    canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: capitalised(action),
    title: `A finished run folder to ${action} (runs/<model>-<date>-<time>, with summary.json)`,
    ...(runsDirs[0] && existsSync(runsDirs[0]) ? { defaultUri: vscode.Uri.file(runsDirs[0]) } : {}),
  });
  return folder?.[0]?.fsPath;
}

/** Each workspace folder's runs folder; the active model file's when no folder is open. */
function runsFolders(): string[] {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length > 0) return folders.map((f) => resolveFolder(readSettings(f.uri).runsDir, f.uri.fsPath));
  const active = vscode.window.activeTextEditor?.document.uri;
  return active?.scheme === 'file' ? [resolveFolder(readSettings(active).runsDir, baseDirFor(active))] : [];
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
