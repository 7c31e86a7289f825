/**
 * Show gradient flow: a run's layers' gradient norms, update ratios and dead units over training.
 * The run is the argument (a folder, from the dashboard or the explorer), else the run training
 * now, else one picked among the finished runs.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { COMMANDS } from '../../protocol/commands';
import { GradientFlowPanel, type GradientFlowDeps } from '../panels/gradient-flow-panel';
import { isRunFolder } from '../runs/run-replay';
import { pickFinishedRun } from '../runs/run-picker';

export const SHOW_GRADIENT_FLOW_COMMAND = COMMANDS.showGradientFlow;

export async function showGradientFlowCommand(deps: GradientFlowDeps & { trainingRuns(): string[] }, arg: unknown): Promise<void> {
  const given = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? arg.fsPath : undefined;
  const runDir = given ?? deps.trainingRuns()[0] ?? (await pickFinishedRun(undefined, 'show the gradient flow of'))?.runDir;
  if (!runDir) return;
  if (!existsSync(runDir) || !isRunFolder(runDir)) {
    void vscode.window.showWarningMessage(`ConvLab: ${runDir} is not a run folder: it has neither metrics.jsonl nor summary.json.`);
    return;
  }
  GradientFlowPanel.show(deps, runDir);
}
