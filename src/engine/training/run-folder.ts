import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent, GradientFlowEvent } from '../../protocol/engine';
import { PartialRunSummarySchema, RUN_FILES, type PartialRunSummary, type RunSummary } from '../../protocol/run-folder';
import { parseMessage } from '../../protocol/validate';
import { ModelFileError } from '../model/model-file';

/** `<runs-dir>/<model>-<YYYYMMDD-HHMMSS>/`, made unique if two runs start in the same second. */
export function createRunDir(runsDir: string, model: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  let dir = join(runsDir, `${model}-${stamp}`);
  for (let k = 2; existsSync(dir); k++) dir = join(runsDir, `${model}-${stamp}-${k}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One event a line, verbatim, appended as it happens, so a crash keeps what was done. */
export function appendEvent(runDir: string, event: EngineEvent): void {
  appendFileSync(join(runDir, RUN_FILES.events), `${JSON.stringify(event)}\n`);
}

/** The gradientFlow events go to a file of their own, so metrics.jsonl stays quick to replay. */
export function appendGradientFlow(runDir: string, event: GradientFlowEvent): void {
  appendFileSync(join(runDir, RUN_FILES.gradientFlow), `${JSON.stringify(event)}\n`);
}

/** A trained run writes every field; an imported one (import-weights) has no training to tell. */
export function writeSummary(runDir: string, summary: RunSummary | (PartialRunSummary & Pick<RunSummary, 'model' | 'file' | 'imported'>)): void {
  writeFileSync(join(runDir, RUN_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
}

/** A finished run's summary.json; `purpose` says what the run was wanted for, in the error. */
export function readRunSummary(runDir: string, purpose: string): PartialRunSummary & Pick<RunSummary, 'model' | 'file'> {
  const path = join(runDir, RUN_FILES.summary);
  if (!existsSync(path)) throw new ModelFileError(`${runDir} has no ${RUN_FILES.summary}: ${purpose} a run that finished training`);
  const checked = parseMessage(PartialRunSummarySchema, readFileSync(path, 'utf8'));
  if (!checked.ok) throw new ModelFileError(`${path} is not a run summary: ${checked.error}`);
  const { model, file } = checked.value;
  if (model === undefined || file === undefined) throw new ModelFileError(`${path} does not say which model ${model === undefined ? '(model)' : 'file (file)'} the run trained`);
  return { ...checked.value, model, file };
}
