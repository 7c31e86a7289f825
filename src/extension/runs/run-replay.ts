/**
 * A finished (or interrupted) run folder as the events that made it, so the dashboard shows an
 * old run exactly as it showed a live one. The folder's files are docs/cli.md's "Run folders"
 * (src/protocol/run-folder.ts): `metrics.jsonl` holds the run's events verbatim, and a replay is
 * those events. A folder written before that (one epochEnd record a line, without its type)
 * replays as start, backend, its epochs and done, rebuilt from `summary.json`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EngineEventSchema, type EngineEvent, type EpochEndEvent } from '../../protocol/engine';
import { LegacyEpochRecordSchema, PartialRunSummarySchema, RUN_FILES, type PartialRunSummary } from '../../protocol/run-folder';
import { checkMessage, parseMessage } from '../../protocol/validate';
import type { RunHistory } from '../../protocol/webview';
import { forEachJsonLine } from './json-lines';

export class RunFolderError extends Error {}

export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, RUN_FILES.events)) || existsSync(join(dir, RUN_FILES.summary));
}

/** The run's events; `problems` says which lines of metrics.jsonl could not be read, and why. */
export function replayRun(runDir: string, problems: string[] = []): RunHistory {
  if (!isRunFolder(runDir)) throw new RunFolderError(`${runDir} is not a ConvLab run folder: it has neither ${RUN_FILES.events} nor ${RUN_FILES.summary}`);
  const summary = readSummary(runDir);
  const { events, legacy } = readEvents(runDir, problems);
  const name = basename(runDir);
  if (events.length === 0) return { name, runDir, events: rebuiltEvents(runDir, summary, legacy) };
  // An old run resumed by a newer engine: its first epochs as records, the rest as events.
  return { name, runDir, events: [...legacy, ...events] };
}

function readSummary(runDir: string): PartialRunSummary | undefined {
  const path = join(runDir, RUN_FILES.summary);
  if (!existsSync(path)) return undefined;
  const checked = parseMessage(PartialRunSummarySchema, readFileSync(path, 'utf8'));
  if (!checked.ok) throw new RunFolderError(`${path} is not a run summary: ${checked.error}`);
  return checked.value;
}

/**
 * Each line an event (or, in an old folder, an epoch record). A torn last line (a crash
 * mid-write) or a line that breaks the contract is reported and skipped: the rest still shows.
 */
function readEvents(runDir: string, problems: string[]): { events: EngineEvent[]; legacy: EpochEndEvent[] } {
  const events: EngineEvent[] = [];
  const legacy: EpochEndEvent[] = [];
  forEachJsonLine(join(runDir, RUN_FILES.events), problems, (value, where) => {
    const typed = typeof value === 'object' && value !== null && 'type' in value;
    const checked = typed ? checkMessage(EngineEventSchema, value) : checkMessage(LegacyEpochRecordSchema, value);
    if (!checked.ok) problems.push(`${where}: ${checked.error}`);
    else if (typed) events.push(checked.value as EngineEvent);
    else legacy.push({ ...(checked.value as Omit<EpochEndEvent, 'type'>), type: 'epochEnd' });
  });
  return { events, legacy };
}

/** An old folder kept epochs only: start, backend and done come from summary.json. */
function rebuiltEvents(runDir: string, summary: PartialRunSummary | undefined, epochs: EpochEndEvent[]): EngineEvent[] {
  const model = summary?.model ?? modelFromFolderName(basename(runDir));
  const events: EngineEvent[] = [{
    type: 'start', runDir, model, file: summary?.file ?? '',
    params: summary?.params ?? { total: 0, trainable: 0, nonTrainable: 0 },
    epochs: summary?.spec?.epochs ?? epochs.at(-1)?.epochs ?? epochs.length,
    batchSize: summary?.spec?.batch ?? 0,
  }];
  if (summary?.backend) events.push({ type: 'backend', name: summary.backend, reason: 'as recorded in the run folder', tried: [] });
  events.push(...epochs);
  if (summary?.test?.accuracy !== undefined) {
    events.push({
      type: 'done', runDir, testAccuracy: summary.test.accuracy, testLoss: summary.test.loss ?? Number.NaN,
      ...(summary.test.top5 !== undefined ? { testTop5: summary.test.top5 } : {}),
      trainingSeconds: summary.trainingSeconds ?? epochs.reduce((sum, e) => sum + e.seconds, 0),
      epochsRun: summary.epochsRun ?? epochs.length, stoppedEarly: summary.stoppedEarly ?? false,
      ...(summary.bestEpoch !== undefined ? { bestEpoch: summary.bestEpoch } : {}),
    });
  }
  return events;
}

/** `LeNet5-20250101-120000` (or `-2` for a second run in the same second) → `LeNet5`. */
export function modelFromFolderName(name: string): string {
  return name.replace(/-\d{8}-\d{6}(-\d+)?$/, '');
}

/** Run folders of one model under a runs folder, newest first. */
export function runsOfModel(runsDir: string, model: string): string[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .filter((name) => modelFromFolderName(name) === model && name !== model)
    .map((name) => join(runsDir, name))
    .filter((dir) => isRunFolder(dir))
    // The folder names hold the start time, so their order is the runs' order.
    .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

/** The newest run of a model with saved weights, for feature maps of a trained model. */
export function latestTrainedRun(runsDir: string, model: string): string | undefined {
  return runsOfModel(runsDir, model).find((dir) => existsSync(join(dir, 'best', 'model.json')) || existsSync(join(dir, 'last', 'model.json')));
}
