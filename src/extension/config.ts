/** ConvLab's settings (package.json `contributes.configuration`), read in one typed place. */
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { BACKEND_SETTINGS, ENGINE_SETTINGS, type BackendSetting, type EngineSetting, type ServeOptions, type TrainSettings } from './jobs/engine-command';

export const CONFIG_SECTION = 'convlab';

export interface ConvLabSettings extends TrainSettings {
  nodePath?: string;
  maxConcurrentJobs: number;
}

export function readSettings(scope?: vscode.Uri): ConvLabSettings {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
  const backend = config.get<string>('backend', 'auto');
  const engine = config.get<string>('engine', 'auto');
  const limit = config.get<number | null>('trainLimit', null);
  const gradientFlow = config.get<number>('gradientFlow.interval');
  return {
    nodePath: nonEmpty(config.get<string>('nodePath')),
    backend: BACKEND_SETTINGS.includes(backend as BackendSetting) ? (backend as BackendSetting) : 'auto',
    engine: ENGINE_SETTINGS.includes(engine as EngineSetting) ? (engine as EngineSetting) : 'auto',
    // In Restricted Mode VS Code gives a restricted setting's user value only (package.json).
    pythonPath: nonEmpty(config.get<string>('pythonPath')),
    dataDir: nonEmpty(config.get<string>('dataDir')),
    nativeModulesDir: nonEmpty(config.get<string>('nativeModulesDir')),
    runsDir: nonEmpty(config.get<string>('runsDir')) ?? 'runs',
    trainLimit: typeof limit === 'number' && limit > 0 ? limit : undefined,
    gradientFlowInterval: typeof gradientFlow === 'number' && gradientFlow >= 0 ? gradientFlow : undefined,
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

/**
 * Where relative folders in settings start for a run folder: its workspace folder, else the
 * folder of the model file it trained (where `convlab.runsDir` was resolved from), else its parent.
 */
export function baseDirForRun(runDir: string, modelFile?: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(runDir));
  if (folder) return folder.uri.fsPath;
  return modelFile ? dirname(modelFile) : dirname(runDir);
}

/** `convlab.service.*`: how `convlab serve` listens and when it says "refer". */
export function readServiceSettings(scope?: vscode.Uri): ServeOptions {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
  const port = config.get<number>('service.port', 0);
  const referBelow = config.get<number | null>('service.referBelow', null);
  return {
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined,
    referBelow: typeof referBelow === 'number' && referBelow > 0 && referBelow <= 1 ? referBelow : undefined,
  };
}
