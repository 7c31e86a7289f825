/**
 * ConvLab's extension host side: a thin client (DESIGN.md). It starts the language server, which
 * owns every language feature and the code lenses; registers the commands those lenses call;
 * relays training engines' events to the status bar, notifications and dashboards; and hosts the
 * webview panels. TensorFlow never loads here: engines are child processes.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { PredictionServices } from './commands/prediction-service-commands';
import { registerCommands } from './commands/register';
import { readSettings } from './config';
import { serveEngineArguments } from './jobs/engine-command';
import type { EngineLauncher } from './jobs/engine-process';
import { ThroughputStore } from './jobs/estimate';
import { JobManager } from './jobs/job-manager';
import { chooseEngineRuntime } from './jobs/node-runtime';
import { ServeEngineClient } from './jobs/serve-engine-client';
import { createLanguageClient, ModelService } from './lsp/client';
import { ARCHITECTURE_VIEW_TYPE, ArchitecturePanel } from './panels/architecture-panel';
import { DASHBOARD_VIEW_TYPE, DashboardPanels } from './panels/dashboard-panel';
import { EVALUATION_VIEW_TYPE, EvaluationPanel } from './panels/evaluation-panel';
import { GRADIENT_FLOW_VIEW_TYPE, GradientFlowPanel, type GradientFlowDeps } from './panels/gradient-flow-panel';
import { FEATURE_MAPS_VIEW_TYPE, FeatureMapsPanel } from './panels/feature-maps-panel';
import { GRAD_CAM_VIEW_TYPE, GradCamPanel } from './panels/gradcam-panel';
import { EXPLAIN_VIEW_TYPE, ExplainPanel } from './panels/explain-panel';
import { EXPLAIN_IMAGE_COMMAND, explainImageCommand } from './commands/explain';
import { SummaryDocuments } from './panels/summary-documents';
import { TrainingStatusBar } from './status-bar';

let client: LanguageClient | undefined;
let jobs: JobManager | undefined;
let engine: ServeEngineClient | undefined;
let services: PredictionServices | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('ConvLab', { log: true });
  context.subscriptions.push(log);
  log.info(`ConvLab ${context.extension.packageJSON.version as string} activating (VS Code ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'})`);

  client = createLanguageClient(context, log);
  const models = new ModelService(client);
  const throughput = new ThroughputStore(context.globalState);
  const cliPath = context.asAbsolutePath('bin/convlab.js');
  const runtime = (settings: { nodePath?: string }) =>
    chooseEngineRuntime({ configuredNode: settings.nodePath, pathVariable: process.env.PATH, hostExecutable: process.execPath });

  const statusBar = new TrainingStatusBar(() => throughput.lastBackend());
  jobs = new JobManager({ cliPath, log, statusBar, throughput, runtime }, readSettings().maxConcurrentJobs);
  const dashboards = new DashboardPanels(context.extensionUri, jobs, log);
  engine = new ServeEngineClient(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? context.globalStorageUri.fsPath;
    const chosen = await runtime(readSettings());
    return { command: chosen.command, args: serveEngineArguments(cliPath), cwd: folder, env: chosen.env };
  }, (line) => log.info(line));
  // One-shot engine commands (eval, gradcam, serve) run with the same runtime as training.
  const launch: EngineLauncher = async (args, cwd) => {
    const chosen = await runtime(readSettings());
    return { command: chosen.command, args, cwd, env: chosen.env };
  };
  services = new PredictionServices({ cliPath, launch, log });
  const summaries = new SummaryDocuments(models);
  const architecture = { extensionUri: context.extensionUri, models, engine, log };
  const featureMaps = { extensionUri: context.extensionUri, models, engine, log };
  const evaluation = { extensionUri: context.extensionUri, log, cliPath, launch };
  const gradCam = { extensionUri: context.extensionUri, models, log, cliPath, launch };
  const explain = { extensionUri: context.extensionUri, models, engine, log };
  const manager = jobs;
  const gradientFlow: GradientFlowDeps = {
    extensionUri: context.extensionUri, log, onDidRunEvent: manager.onDidRunEvent,
    isTraining: (runDir) => manager.jobs.some((job) => job.progress.runDir === runDir),
  };

  context.subscriptions.push(
    statusBar,
    dashboards,
    summaries,
    jobs.onDidStartRun((job) => {
      if (job.progress.runDir) dashboards.show(job.progress.runDir, { preserveFocus: true });
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('convlab.maxConcurrentJobs')) jobs?.setMaxConcurrent(readSettings().maxConcurrentJobs);
    }),
    vscode.window.registerWebviewPanelSerializer(ARCHITECTURE_VIEW_TYPE, ArchitecturePanel.serializer(architecture)),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, dashboards.serializer()),
    vscode.window.registerWebviewPanelSerializer(FEATURE_MAPS_VIEW_TYPE, FeatureMapsPanel.serializer(featureMaps)),
    vscode.window.registerWebviewPanelSerializer(EVALUATION_VIEW_TYPE, EvaluationPanel.serializer(evaluation)),
    vscode.window.registerWebviewPanelSerializer(GRAD_CAM_VIEW_TYPE, GradCamPanel.serializer(gradCam)),
    vscode.window.registerWebviewPanelSerializer(EXPLAIN_VIEW_TYPE, ExplainPanel.serializer(explain)),
    vscode.commands.registerCommand(EXPLAIN_IMAGE_COMMAND, (arg: unknown) => explainImageCommand(explain, arg).catch((error: unknown) => {
      log.error(`${EXPLAIN_IMAGE_COMMAND}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      void vscode.window.showErrorMessage(`ConvLab: ${error instanceof Error ? error.message : String(error)}`);
    })),
    vscode.window.registerWebviewPanelSerializer(GRADIENT_FLOW_VIEW_TYPE, GradientFlowPanel.serializer(gradientFlow)),
    ...registerCommands({ context, log, models, jobs, throughput, dashboards, summaries, architecture, featureMaps, evaluation, gradCam, gradientFlow, services }),
  );

  // Commands and panels work on without the server (they say so when a request fails).
  client.start().then(
    () => log.info('language server started'),
    (error: unknown) => log.error(`the language server did not start: ${error instanceof Error ? error.message : String(error)}`),
  );
}

export async function deactivate(): Promise<void> {
  engine?.dispose();
  await Promise.all([jobs?.dispose(), services?.dispose(), client?.stop()]);
}
