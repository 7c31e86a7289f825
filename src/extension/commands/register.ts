/**
 * Every command of package.json `contributes.commands`, registered in one place. Code lenses (from
 * the server) call the COMMANDS ids with ModelCommandArgs; the palette calls them without.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { COMMANDS } from '../../protocol/lsp';
import { baseDirFor, readSettings } from '../config';
import { resolveFolder } from '../jobs/engine-command';
import type { JobManager, TrainJob } from '../jobs/job-manager';
import type { ModelService } from '../lsp/client';
import { ArchitecturePanel, type ArchitectureDeps } from '../panels/architecture-panel';
import type { DashboardPanels } from '../panels/dashboard-panel';
import { FeatureMapsPanel, type FeatureMapsDeps } from '../panels/feature-maps-panel';
import type { SummaryDocuments } from '../panels/summary-documents';
import { pickFinishedRun } from '../runs/run-picker';
import { isRunFolder } from '../runs/run-replay';
import { SHOW_RUNNING_DASHBOARD_COMMAND } from '../status-bar';
import { requireTrust } from '../trust';
import type { EvaluationDeps } from '../panels/evaluation-panel';
import type { GradCamDeps } from '../panels/gradcam-panel';
import { EVALUATE_RUN_COMMAND, evaluateRunCommand } from './evaluate';
import { GRAD_CAM_COMMAND, gradCamCommand } from './gradcam';
import { SHOW_GRADIENT_FLOW_COMMAND, showGradientFlowCommand } from './gradient-flow';
import type { GradientFlowDeps } from '../panels/gradient-flow-panel';
import { OPEN_SAMPLE_COMMAND, openSampleCommand } from './open-sample';
import { openAsPytorchCommand } from './open-pytorch';
import { SERVICE_ACTIONS_COMMAND, START_SERVICE_COMMAND, STOP_SERVICE_COMMAND, type PredictionServices } from './prediction-service-commands';
import { resolveTarget } from './targets';
import { trainCommand, type TrainDeps } from './train';

export const SHOW_LOG_COMMAND = COMMANDS.showLog;

export interface CommandDeps extends TrainDeps {
  context: vscode.ExtensionContext;
  models: ModelService;
  jobs: JobManager;
  dashboards: DashboardPanels;
  summaries: SummaryDocuments;
  architecture: ArchitectureDeps;
  featureMaps: FeatureMapsDeps;
  evaluation: EvaluationDeps;
  gradCam: GradCamDeps;
  gradientFlow: GradientFlowDeps;
  services: PredictionServices;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { log } = deps;
  // A command that fails must say so, not leave an unhandled rejection in the host's console.
  const guarded = (name: string, run: (...args: unknown[]) => Promise<void>) =>
    vscode.commands.registerCommand(name, async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (error) {
        log.error(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        void vscode.window.showErrorMessage(`ConvLab: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  return [
    guarded(COMMANDS.train, (arg) => trainCommand(deps, arg)),
    guarded(COMMANDS.stopTraining, () => stopTraining(deps.jobs)),
    guarded(COMMANDS.showArchitecture, async (arg) => {
      const target = await resolveTarget(deps.models, arg);
      if (target) ArchitecturePanel.show(deps.architecture, target.document, target.model);
    }),
    guarded(COMMANDS.showFeatureMaps, async (arg) => {
      if (!(await requireTrust('Feature maps'))) return;
      const target = await resolveTarget(deps.models, arg, { wantLayer: true });
      if (!target) return;
      if (target.document.isDirty) await target.document.save();
      const layer = target.layer ?? (await firstConvolution(deps.models, target.document.uri, target.model));
      if (!layer) {
        void vscode.window.showInformationMessage(`ConvLab: ${target.model} has no convolution to show feature maps of.`);
        return;
      }
      FeatureMapsPanel.show(deps.featureMaps, target.document, target.model, layer);
    }),
    guarded(COMMANDS.showSummary, async (arg) => {
      const target = await resolveTarget(deps.models, arg);
      if (target) await deps.summaries.show(target.document.uri, target.model);
    }),
    guarded(COMMANDS.openAsPytorch, (arg) => openAsPytorchCommand(deps.models, arg)),
    guarded(COMMANDS.openRun, (arg) => openRun(deps, arg)),
    guarded(SHOW_RUNNING_DASHBOARD_COMMAND, async (runDir) => {
      if (typeof runDir === 'string') deps.dashboards.show(runDir, { preserveFocus: false });
    }),
    guarded(SHOW_LOG_COMMAND, async () => log.show()),
    guarded(OPEN_SAMPLE_COMMAND, (...args) => openSampleCommand(deps.context, args)),
    guarded(EVALUATE_RUN_COMMAND, (arg) => evaluateRunCommand(deps.evaluation, arg)),
    guarded(SHOW_GRADIENT_FLOW_COMMAND, (arg) => showGradientFlowCommand({ ...deps.gradientFlow, trainingRuns: () => deps.jobs.jobs.flatMap((j) => j.progress.runDir ?? []) }, arg)),
    guarded(GRAD_CAM_COMMAND, (arg) => gradCamCommand(deps.gradCam, arg)),
    guarded(START_SERVICE_COMMAND, async (arg) => {
      if (!(await requireTrust('The prediction service'))) return;
      const run = await pickFinishedRun(arg, 'serve');
      if (run) await deps.services.start(run.runDir);
    }),
    guarded(STOP_SERVICE_COMMAND, () => deps.services.stop()),
    guarded(SERVICE_ACTIONS_COMMAND, () => deps.services.actions()),
  ];
}

async function firstConvolution(models: ModelService, uri: vscode.Uri, model: string): Promise<string | undefined> {
  const summary = await models.summary(uri);
  return summary.models.find((m) => m.name === model)?.layers.find((l) => /Conv/.test(l.type))?.name;
}

async function stopTraining(jobs: JobManager): Promise<void> {
  const all = jobs.jobs;
  if (all.length === 0) {
    void vscode.window.showInformationMessage('ConvLab: no training is running.');
    return;
  }
  let job: TrainJob | undefined = all[0];
  if (all.length > 1) {
    const picked = await vscode.window.showQuickPick(
      all.map((j) => ({ label: j.request.target.model, description: j.engine ? j.progress.statusText() : 'waiting', job: j })),
      { placeHolder: 'Which training to stop?' },
    );
    job = picked?.job;
  }
  if (job) jobs.cancel(job);
}

/** A run folder from the argument (a path or a folder URI from the explorer), else a folder dialog. */
async function openRun(deps: CommandDeps, arg: unknown): Promise<void> {
  let runDir = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? arg.fsPath : undefined;
  if (!runDir) {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const runsDir = folder ? resolveFolder(readSettings(folder.uri).runsDir, baseDirFor(folder.uri)) : undefined;
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Open run',
      title: 'A run folder (runs/<model>-<date>-<time>)', ...(runsDir && existsSync(runsDir) ? { defaultUri: vscode.Uri.file(runsDir) } : {}),
    });
    runDir = picked?.[0]?.fsPath;
  }
  if (!runDir) return;
  if (!deps.jobs.history(runDir) && !isRunFolder(runDir)) {
    void vscode.window.showWarningMessage(`ConvLab: ${runDir} is not a run folder: it has neither metrics.jsonl nor summary.json.`);
    return;
  }
  deps.dashboards.show(runDir, { preserveFocus: false });
}
