import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ModelFileError } from '../model/model-file';
import { join } from 'node:path';

/** `<runs-dir>/<model>-<YYYYMMDD-HHMMSS>/`, made unique if two runs start in the same second. */
export function createRunDir(runsDir: string, model: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  let dir = join(runsDir, `${model}-${stamp}`);
  for (let k = 2; existsSync(dir); k++) dir = join(runsDir, `${model}-${stamp}-${k}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One JSON object per epoch, appended as training goes, so a crash keeps what was done. */
export function appendMetrics(runDir: string, record: object): void {
  appendFileSync(join(runDir, 'metrics.jsonl'), `${JSON.stringify(record)}\n`);
}

export function writeSummary(runDir: string, summary: object): void {
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}

/** What the commands that reuse a finished run read back from its summary.json. */
export interface RunSummary {
  model: string;
  /** The model file, absolute. */
  file: string;
  dataset?: { classes?: string[] };
}

/** A finished run's summary.json; `purpose` says what the run was wanted for, in the error. */
export function readRunSummary(runDir: string, purpose: string): RunSummary {
  const path = join(runDir, 'summary.json');
  if (!existsSync(path)) throw new ModelFileError(`${runDir} has no summary.json: ${purpose} a run that finished training`);
  return JSON.parse(readFileSync(path, 'utf8')) as RunSummary;
}
