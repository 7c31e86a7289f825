/**
 * The engine's command line, built from the user's settings. Pure (no `vscode`), so the exact
 * arguments are unit-tested; docs/cli.md is the contract they follow.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { BackendName } from '../../protocol/engine';

/** `convlab.backend`: a backend of the engine's ladder, or `auto` to let the engine walk it. */
export type BackendSetting = BackendName | 'auto';

export const BACKEND_SETTINGS: readonly BackendSetting[] = ['auto', 'cuda', 'webgpu', 'native', 'wasm', 'cpu'];

export interface TrainSettings {
  backend: BackendSetting;
  /** Folders as the user wrote them: absolute, `~/…`, or relative to the workspace folder. */
  dataDir?: string;
  nativeModulesDir?: string;
  runsDir: string;
  /** Caps the training examples (`--limit`); undefined or 0 for all of them. */
  trainLimit?: number;
}

export interface TrainTarget {
  /** The model file on disk (the engine reads the saved file, not the editor's buffer). */
  file: string;
  model: string;
  /** Where relative folders in settings start: the file's workspace folder, else its own folder. */
  baseDir: string;
}

/** A setting's folder as an absolute path: `~` is the home folder, relative is from `baseDir`. */
export function resolveFolder(value: string, baseDir: string, home = homedir()): string {
  if (value === '~' || value.startsWith('~/') || value.startsWith('~\\')) return join(home, value.slice(1));
  return isAbsolute(value) ? value : resolve(baseDir, value);
}

/** `convlab train FILE --json --model M --runs-dir D [--data-dir …] [--backend …] [--native-dir …] [--limit …]`. */
export function trainArguments(cliPath: string, target: TrainTarget, settings: TrainSettings): string[] {
  const args = [cliPath, 'train', target.file, '--json', '--model', target.model, '--runs-dir', resolveFolder(settings.runsDir, target.baseDir)];
  const dataDir = settings.dataDir?.trim();
  if (dataDir) args.push('--data-dir', resolveFolder(dataDir, target.baseDir));
  if (settings.backend !== 'auto') args.push('--backend', settings.backend);
  const nativeDir = settings.nativeModulesDir?.trim();
  if (nativeDir) args.push('--native-dir', resolveFolder(nativeDir, target.baseDir));
  if (settings.trainLimit !== undefined && settings.trainLimit > 0) args.push('--limit', String(Math.floor(settings.trainLimit)));
  return args;
}

/** `convlab serve-engine`, the long-lived process behind the feature-maps view. */
export function serveEngineArguments(cliPath: string): string[] {
  return [cliPath, 'serve-engine'];
}
