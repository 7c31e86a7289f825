/**
 * The Train command: refuse in Restricted Mode or on a file with errors, estimate the time per
 * epoch, ask before a run estimated over ten minutes an epoch, then queue the job.
 */
import * as vscode from 'vscode';
import type { BackendName } from '../../protocol/engine';
import { baseDirFor, readSettings } from '../config';
import { describeEstimate, estimateEpoch, formatDuration, needsConfirmation, trainingMacsOf, CONFIRM_ABOVE_SECONDS, type ThroughputStore } from '../jobs/estimate';
import type { JobManager } from '../jobs/job-manager';
import type { ModelService } from '../lsp/client';
import { requireTrust } from '../trust';
import { resolveTarget } from './targets';

export interface TrainDeps {
  models: ModelService;
  jobs: JobManager;
  throughput: ThroughputStore;
  log: vscode.LogOutputChannel;
}

/** Without a measurement, `auto` is expected to land where it did last time, else on wasm (no native bindings). */
const AUTO_BACKEND_GUESS: BackendName = 'wasm';

export async function trainCommand(deps: TrainDeps, arg: unknown): Promise<void> {
  if (!(await requireTrust('Training'))) return;
  const target = await resolveTarget(deps.models, arg);
  if (!target) return;
  const { document, model } = target;
  // The engine reads the file from disk, so the editor's text must be saved there first.
  if (document.uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('ConvLab: only a model saved as a file on disk can be trained; save it first.');
    return;
  }
  if (document.isDirty && !(await document.save())) {
    void vscode.window.showErrorMessage(`ConvLab: could not save ${vscode.workspace.asRelativePath(document.uri)}, so training did not start.`);
    return;
  }
  const summary = await deps.models.summary(document.uri);
  const firstError = summary.diagnostics.find((d) => d.severity === 'error');
  if (firstError) {
    const choice = await vscode.window.showErrorMessage(
      `ConvLab: fix the errors in ${vscode.workspace.asRelativePath(document.uri)} before training: line ${firstError.range.start.line + 1}: ${firstError.message}`,
      'Show problems',
    );
    if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
    return;
  }
  const summarised = summary.models.find((m) => m.name === model);
  const macs = summarised?.macs ?? 0;
  const costs = { macsPerExample: macs, trainingMacsPerExample: summarised?.trainingMacs };
  const settings = readSettings(document.uri);
  const backend = settings.backend === 'auto' ? (deps.throughput.lastBackend() ?? AUTO_BACKEND_GUESS) : settings.backend;
  const estimate = estimateEpoch({
    ...costs, backend, measuredMacsPerSecond: deps.throughput.macsPerSecond(backend),
    limit: settings.trainLimit, knownExamples: deps.throughput.epochExamples(document.uri.fsPath, model), datasetExamples: summarised?.trainExamples,
  });
  deps.log.info(`${model}: ${macs.toLocaleString('en-US')} multiply-adds per example; ${describeEstimate(estimate)}`);
  if (needsConfirmation(estimate)) {
    const proceed = 'Train anyway';
    const choice = await vscode.window.showWarningMessage(
      `Training ${model} would take about ${formatDuration(estimate.seconds)} per epoch.`,
      {
        modal: true,
        detail: `${describeEstimate(estimate)}. That is over ${formatDuration(CONFIRM_ABOVE_SECONDS)} an epoch. For a quick run, set convlab.trainLimit or a limit in the train section; a faster backend (convlab.backend, docs/backends.md) helps too.`,
      },
      proceed,
    );
    if (choice !== proceed) return;
  }
  deps.jobs.submit({ target: { file: document.uri.fsPath, model, baseDir: baseDirFor(document.uri) }, settings, estimate, trainingMacsPerExample: trainingMacsOf(costs) });
}
