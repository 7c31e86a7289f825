/** ConvLab's settings (package.json `contributes.configuration`), read in one typed place. */
import * as vscode from 'vscode';
import { BACKEND_SETTINGS, type BackendSetting, type TrainSettings } from './jobs/engine-command';

export const CONFIG_SECTION = 'convlab';

export interface ConvLabSettings extends TrainSettings {
  nodePath?: string;
  maxConcurrentJobs: number;
}

export function readSettings(scope?: vscode.Uri): ConvLabSettings {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
  const backend = config.get<string>('backend', 'auto');
  const limit = config.get<number | null>('trainLimit', null);
  return {
    nodePath: nonEmpty(config.get<string>('nodePath')),
    backend: BACKEND_SETTINGS.includes(backend as BackendSetting) ? (backend as BackendSetting) : 'auto',
    dataDir: nonEmpty(config.get<string>('dataDir')),
    nativeModulesDir: nonEmpty(config.get<string>('nativeModulesDir')),
    runsDir: nonEmpty(config.get<string>('runsDir')) ?? 'runs',
    trainLimit: typeof limit === 'number' && limit > 0 ? limit : undefined,
    maxConcurrentJobs: Math.max(1, config.get<number>('maxConcurrentJobs', 1)),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Where relative folders in settings start: the file's workspace folder, else the file's own folder. */
export function baseDirFor(file: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(file);
  return folder ? folder.uri.fsPath : vscode.Uri.joinPath(file, '..').fsPath;
}
