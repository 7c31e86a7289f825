/**
 * The run folders under a runs folder, for the commands that act on a finished run (Evaluate
 * run, Start prediction service): newest first, with what their summary.json says.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isRunFolder, modelFromFolderName } from './run-replay';

export interface RunEntry {
  runDir: string;
  /** The folder's name: `LeNet5-20250101-120000`. */
  name: string;
  model: string;
  /** The model file it trained, as summary.json recorded it. */
  file?: string;
  /** summary.json exists: training finished (or stopped early) and wrote its test result. */
  finished: boolean;
  /** Whether best/ or last/ holds weights. */
  hasWeights: boolean;
  testAccuracy?: number;
}

/** Folders under `runsDir` that are runs, newest first by the start time in their names (ties alphabetically). */
export function listRuns(runsDir: string): RunEntry[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .map((name) => join(runsDir, name))
    .filter((dir) => isDirectory(dir) && isRunFolder(dir))
    .map(describeRun)
    .sort((a, b) => startKey(b.name).localeCompare(startKey(a.name)) || a.name.localeCompare(b.name));
}

export function describeRun(runDir: string): RunEntry {
  const name = runDir.split(/[\\/]/).filter(Boolean).pop() ?? runDir;
  const summaryPath = join(runDir, 'summary.json');
  const finished = existsSync(summaryPath);
  const hasWeights = ['best', 'last'].some((k) => existsSync(join(runDir, k, 'model.json')));
  let model = modelFromFolderName(name);
  let testAccuracy: number | undefined;
  let file: string | undefined;
  if (finished) {
    try {
      const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { model?: unknown; file?: unknown; test?: { accuracy?: unknown } };
      if (typeof summary.model === 'string') model = summary.model;
      if (typeof summary.file === 'string') file = summary.file;
      if (typeof summary.test?.accuracy === 'number') testAccuracy = summary.test.accuracy;
    } catch {
      // A torn summary.json still names a run; the engine reports what is wrong with it.
    }
  }
  return { runDir, name, model, ...(file !== undefined ? { file } : {}), finished, hasWeights, ...(testAccuracy !== undefined ? { testAccuracy } : {}) };
}

/** Why a run cannot be evaluated or served, or undefined when it can. */
export function unusableRunReason(run: RunEntry): string | undefined {
  if (!run.finished) return `${run.name} has no summary.json: it did not finish training (or it is still running)`;
  if (!run.hasWeights) return `${run.name} has no best/ or last/ checkpoint to load`;
  return undefined;
}

/** `Model-20250101-120000-2` → `20250101-120000-2`: the names' start times sort as text. */
function startKey(name: string): string {
  return /(\d{8}-\d{6}(?:-\d+)?)$/.exec(name)?.[1] ?? '';
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
