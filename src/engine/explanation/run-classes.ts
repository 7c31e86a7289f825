import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from '../../protocol/run-folder';
import { readRunSummary } from '../training/run-folder';

/** The class names a run's summary.json recorded, when they match the model's outputs. */
export function runClassNames(run: string, classes: number, purpose: string): string[] | undefined {
  if (!existsSync(join(run, RUN_FILES.summary))) return undefined;
  const names = readRunSummary(run, purpose).dataset?.classes;
  return names && names.length === classes ? names : undefined;
}
