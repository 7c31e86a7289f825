/**
 * A run folder's gradient flow (gradient-flow.jsonl, docs/cli.md) and the runs to compare it with:
 * the newest run of each other model of the same model file in the same runs folder (the plain
 * and residual networks of samples/vanishing-gradients.cnn).
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GradientFlowEventSchema, type GradientFlowEvent } from '../../protocol/engine';
import { RUN_FILES } from '../../protocol/run-folder';
import { checkMessage } from '../../protocol/validate';
import type { GradientFlowRun } from '../../protocol/webview';
import { forEachJsonLine } from './json-lines';
import { runOrigin, siblingRuns } from './sibling-runs';

/** Runs compared beside the one asked for, at most. */
const COMPARED_RUNS = 3;

/** Each line an event; a torn or broken line is reported in `problems` and skipped. */
export function readGradientFlow(runDir: string, problems: string[] = []): GradientFlowEvent[] {
  const events: GradientFlowEvent[] = [];
  forEachJsonLine(join(runDir, RUN_FILES.gradientFlow), problems, (value, where) => {
    const checked = checkMessage(GradientFlowEventSchema, value);
    if (checked.ok) events.push(checked.value);
    else problems.push(`${where}: ${checked.error}`);
  });
  return events;
}

export function flowRun(runDir: string, live: boolean, problems: string[] = []): GradientFlowRun | undefined {
  const origin = runOrigin(runDir);
  if (!origin) return undefined;
  return { name: basename(runDir), runDir, ...origin, events: readGradientFlow(runDir, problems), live };
}

/** The newest recorded run of each other model of the same file, beside this one in its runs folder. */
export function comparedRuns(runDir: string, isLive: (runDir: string) => boolean): GradientFlowRun[] {
  return siblingRuns(runDir, (dir) => existsSync(join(dir, RUN_FILES.gradientFlow))).slice(0, COMPARED_RUNS).flatMap((dir) => flowRun(dir, isLive(dir)) ?? []);
}
