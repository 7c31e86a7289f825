/**
 * The engine's command line, built from the user's settings. Pure (no `vscode`), so the exact
 * arguments are unit-tested; docs/cli.md is the contract they follow.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { BACKEND_NAMES, ENGINE_CHOICES, type BackendName, type EngineChoice } from '../../protocol/engine';

/** `convlab.backend`: a backend of the engine's ladder, or `auto` to let the engine walk it. */
export type BackendSetting = BackendName | 'auto';

export const BACKEND_SETTINGS: readonly BackendSetting[] = ['auto', ...BACKEND_NAMES];

/**
 * `convlab.engine`: who trains. `tfjs` is TensorFlow.js on `convlab.backend`'s ladder; `pytorch`
 * the Python runtime (python/convlab_torch) on CUDA, MPS or the CPU; `auto` lets the engine pick
 * pytorch where a Python with torch and a CUDA or MPS device is found, else tfjs.
 */
export const ENGINE_SETTINGS = ENGINE_CHOICES;
export type EngineSetting = EngineChoice;

/**
 * The engine asked of `convlab train`. A backend only TensorFlow.js has (webgpu, native, wasm, or
 * its plain-JS cpu) under `auto` means the person wants TensorFlow.js, so auto becomes tfjs; under
 * `pytorch` the engine refuses such a backend itself, saying why. The CLI's own default is tfjs,
 * so `auto` is always said.
 */
export function engineFor(settings: Pick<TrainSettings, 'engine' | 'backend'>): EngineSetting {
  const engine = settings.engine ?? 'auto';
  return engine === 'auto' && settings.backend !== 'auto' && settings.backend !== 'cuda' ? 'tfjs' : engine;
}

export interface TrainSettings {
  backend: BackendSetting;
  /** Undefined is `auto`, the engine's own default. */
  engine?: EngineSetting;
  /** `convlab.pythonPath`: a Python with torch for the pytorch engine, a path or a command on PATH. */
  pythonPath?: string;
  /** Folders as the user wrote them: absolute, `~/…`, or relative to the workspace folder. */
  dataDir?: string;
  nativeModulesDir?: string;
  runsDir: string;
  /** Caps the training examples (`--limit`); undefined or 0 for all of them. */
  trainLimit?: number;
  /** Record gradient flow every N batches (`--gradient-flow`); 0 turns it off; undefined: the engine's 20. */
  gradientFlowInterval?: number;
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

/**
 * `convlab train FILE --json --model M --runs-dir D [--data-dir …] [--backend …] [--native-dir …]
 * [--limit …] [--engine …] [--python …]`.
 */
export function trainArguments(cliPath: string, target: TrainTarget, settings: TrainSettings): string[] {
  const args = [cliPath, 'train', target.file, '--json', '--model', target.model, '--runs-dir', resolveFolder(settings.runsDir, target.baseDir)];
  const dataDir = settings.dataDir?.trim();
  if (dataDir) args.push('--data-dir', resolveFolder(dataDir, target.baseDir));
  if (settings.backend !== 'auto') args.push('--backend', settings.backend);
  const nativeDir = settings.nativeModulesDir?.trim();
  if (nativeDir) args.push('--native-dir', resolveFolder(nativeDir, target.baseDir));
  if (settings.trainLimit !== undefined && settings.trainLimit > 0) args.push('--limit', String(Math.floor(settings.trainLimit)));
  const engine = engineFor(settings);
  args.push('--engine', engine);
  const python = settings.pythonPath?.trim();
  // Only the pytorch engine (chosen or possibly picked by auto) ever starts Python.
  if (python && engine !== 'tfjs') args.push('--python', resolveProgram(python, target.baseDir));
  if (settings.gradientFlowInterval !== undefined && settings.gradientFlowInterval >= 0) args.push('--gradient-flow', String(Math.floor(settings.gradientFlowInterval)));
  return args;
}

/**
 * A program setting: a bare name (`python3.11`) is left for PATH to find; a path (`.venv/bin/python`,
 * `~/miniconda3/bin/python`) is resolved like a folder, so a workspace's own virtual environment works.
 */
export function resolveProgram(value: string, baseDir: string, home = homedir()): string {
  return /[\\/]/.test(value) || value === '~' ? resolveFolder(value, baseDir, home) : value;
}

/** `convlab serve-engine`, the long-lived process behind the feature-maps view. */
export function serveEngineArguments(cliPath: string): string[] {
  return [cliPath, 'serve-engine'];
}

/** What the one-shot engine commands read from the settings: where data and native bindings are. */
export type EngineSettings = Pick<TrainSettings, 'backend' | 'dataDir'>;

/** `convlab eval RUN --json [--data-dir …] [--backend …]`: a finished run on its test split. */
export function evalArguments(cliPath: string, runDir: string, settings: EngineSettings, baseDir: string): string[] {
  const args = [cliPath, 'eval', runDir, '--json'];
  pushDataDir(args, settings, baseDir);
  if (settings.backend !== 'auto') args.push('--backend', settings.backend);
  return args;
}

export interface GradCamTarget extends TrainTarget {
  /** A run folder whose best/ (else last/) weights to explain; the untrained model without one. */
  run?: string;
  /** A layer's display name; the engine's default (the last layer with maps) when left out. */
  layer?: string;
  classIndex?: number;
  /** An image file, else the N-th test example (0 when neither is given). */
  image?: string;
  sample?: number;
}

/** `convlab gradcam FILE --json --model M [--run DIR] [--image P | --sample N] [--layer L] [--class K] [--data-dir …]`. */
export function gradCamArguments(cliPath: string, target: GradCamTarget, settings: EngineSettings): string[] {
  const args = [cliPath, 'gradcam', target.file, '--json', '--model', target.model];
  if (target.run) args.push('--run', target.run);
  if (target.image) args.push('--image', target.image);
  else args.push('--sample', String(Math.max(0, Math.floor(target.sample ?? 0))));
  if (target.layer) args.push('--layer', target.layer);
  if (target.classIndex !== undefined) args.push('--class', String(target.classIndex));
  pushDataDir(args, settings, target.baseDir);
  return args;
}

export interface ServeOptions {
  /** 0 or undefined: a free port the system picks. */
  port?: number;
  /** Predictions whose calibrated confidence is below this say "refer" (0 < p ≤ 1). */
  referBelow?: number;
}

/**
 * `convlab serve RUN [--port N] [--refer-below P] [--data-dir …]`. No `--token`: the engine
 * makes a random one and prints it, so the secret never shows in the process list.
 */
export function serveArguments(cliPath: string, runDir: string, options: ServeOptions, settings: EngineSettings, baseDir: string): string[] {
  const args = [cliPath, 'serve', runDir];
  if (options.port !== undefined && options.port > 0) args.push('--port', String(Math.floor(options.port)));
  if (options.referBelow !== undefined && options.referBelow > 0 && options.referBelow <= 1) args.push('--refer-below', String(options.referBelow));
  pushDataDir(args, settings, baseDir);
  return args;
}

function pushDataDir(args: string[], settings: EngineSettings, baseDir: string): void {
  const dataDir = settings.dataDir?.trim();
  if (dataDir) args.push('--data-dir', resolveFolder(dataDir, baseDir));
}
