/** Evaluate run: a finished run's test-split report (`convlab eval`) in the evaluation view. */
import { EvaluationPanel, type EvaluationDeps } from '../panels/evaluation-panel';
import { pickFinishedRun } from '../runs/run-picker';
import { requireTrust } from '../trust';
import { COMMANDS } from '../../protocol/commands';

export const EVALUATE_RUN_COMMAND = COMMANDS.evaluateRun;

export async function evaluateRunCommand(deps: EvaluationDeps, arg: unknown): Promise<void> {
  if (!(await requireTrust('Evaluating a run'))) return;
  const run = await pickFinishedRun(arg, 'evaluate');
  if (run) EvaluationPanel.show(deps, run.runDir);
}
