/**
 * A finished (or interrupted) run folder as the events that made it, so the dashboard shows an
 * old run exactly as it showed a live one. The folder's files are docs/cli.md's "Run folders":
 * `metrics.jsonl` (one epochEnd record per line, without its type) and `summary.json`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BackendName, EngineEvent, EpochEndEvent } from '../../protocol/engine';
import type { RunHistory } from '../../protocol/webview';

/** The parts of summary.json the replay reads. */
interface RunSummaryFile {
  model?: string;
  file?: string;
  runDir?: string;
  backend?: BackendName;
  params?: { total: number; trainable: number; nonTrainable: number };
  spec?: { epochs?: number; batch?: number };
  test?: { accuracy?: number; loss?: number; top5?: number };
  trainingSeconds?: number;
  epochsRun?: number;
  stoppedEarly?: boolean;
  bestEpoch?: number;
}

export class RunFolderError extends Error {}

export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, 'metrics.jsonl')) || existsSync(join(dir, 'summary.json'));
}

/** The run's events: start, backend, one epochEnd per recorded epoch, and done when it finished. */
export function replayRun(runDir: string): RunHistory {
  if (!isRunFolder(runDir)) throw new RunFolderError(`${runDir} is not a ConvLab run folder: it has neither metrics.jsonl nor summary.json`);
  const summary = readSummary(runDir);
  const epochs = readMetrics(runDir);
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
  return { name: basename(runDir), runDir, events };
}

function readSummary(runDir: string): RunSummaryFile | undefined {
  const path = join(runDir, 'summary.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunSummaryFile;
  } catch (error) {
    throw new RunFolderError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Each line an epochEnd record; a torn last line (a crash mid-write) is skipped. */
function readMetrics(runDir: string): EpochEndEvent[] {
  const path = join(runDir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  const events: EpochEndEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line) as Omit<EpochEndEvent, 'type'> & { tensors?: number };
      const { tensors: _tensors, ...metrics } = record;
      events.push({ ...metrics, type: 'epochEnd' });
    } catch {
      // Only the last line can be torn; the epochs before it are still worth showing.
    }
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
