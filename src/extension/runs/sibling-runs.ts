/**
 * Runs of the other models of the same model file, beside a run in its runs folder: the newest of
 * each. What the dashboard offers to overlay and the gradient-flow view compares (the plain and
 * residual networks of samples/vanishing-gradients.cnn, each its own model).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StartEventSchema } from '../../protocol/engine';
import { RUN_FILES } from '../../protocol/run-folder';
import { checkMessage } from '../../protocol/validate';

/** The model and model file a run trained, from its start event (the first line of metrics.jsonl). */
export function runOrigin(runDir: string): { model: string; file: string } | undefined {
  const path = join(runDir, RUN_FILES.events);
  if (!existsSync(path)) return undefined;
  const first = readFileSync(path, 'utf8').split('\n', 1)[0] ?? '';
  try {
    const checked = checkMessage(StartEventSchema, JSON.parse(first));
    return checked.ok ? { model: checked.value.model, file: resolve(checked.value.file) } : undefined;
  } catch {
    return undefined;
  }
}

/** Newest first, one per other model; `accept` filters the folders considered. */
export function siblingRuns(runDir: string, accept: (dir: string) => boolean = () => true): string[] {
  const origin = runOrigin(runDir);
  const runsDir = dirname(runDir);
  if (!origin || !existsSync(runsDir)) return [];
  const newestByModel = new Map<string, string>();
  // Folder names end in the start time (`-YYYYMMDD-HHMMSS`, `-2` for a second in the same second).
  const stamp = (name: string) => /(\d{8}-\d{6})(?:-(\d+))?$/.exec(name);
  const newestFirst = readdirSync(runsDir).filter((name) => stamp(name) !== null).sort((a, b) => {
    const [sa, sb] = [stamp(a)!, stamp(b)!];
    return sa[1] !== sb[1] ? (sa[1]! < sb[1]! ? 1 : -1) : Number(sb[2] ?? 1) - Number(sa[2] ?? 1);
  });
  for (const name of newestFirst) {
    const dir = join(runsDir, name);
    if (dir === runDir || !accept(dir)) continue;
    const other = runOrigin(dir);
    if (!other || other.file !== origin.file || other.model === origin.model || newestByModel.has(other.model)) continue;
    newestByModel.set(other.model, dir);
  }
  return [...newestByModel.values()];
}
