/**
 * The local prediction service (`convlab serve RUN`) as a child process of the extension: one at
 * a time, started and stopped by command, shown in the status bar while it listens, stopped when
 * VS Code closes. Its token is never logged; it goes to the clipboard when the user asks.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { baseDirForRun, readServiceSettings, readSettings } from '../config';
import { serveArguments } from '../jobs/engine-command';
import type { EngineLauncher } from '../jobs/engine-process';
import { curlExample, PredictionServiceProcess, type ServiceBanner } from '../jobs/prediction-service';
import { describeRun } from '../runs/run-list';
import { COMMANDS } from '../../protocol/commands';

export const START_SERVICE_COMMAND = COMMANDS.startPredictionService;
export const STOP_SERVICE_COMMAND = COMMANDS.stopPredictionService;
/** The status-bar item's click: copy the token or URL, or stop. Not in the palette. */
export const SERVICE_ACTIONS_COMMAND = COMMANDS.predictionServiceActions;

export interface ServiceDeps {
  cliPath: string;
  launch: EngineLauncher;
  log: vscode.LogOutputChannel;
}

interface RunningService {
  runDir: string;
  process: PredictionServiceProcess;
  banner?: ServiceBanner;
}

export class PredictionServices implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('convlab.service', vscode.StatusBarAlignment.Left, 9);
  private current: RunningService | undefined;

  constructor(private readonly deps: ServiceDeps) {
    this.item.name = 'ConvLab prediction service';
    this.item.command = SERVICE_ACTIONS_COMMAND;
  }

  async start(runDir: string): Promise<void> {
    if (this.current) {
      const replace = 'Stop it and start';
      const choice = await vscode.window.showWarningMessage(`ConvLab: a prediction service is already running for ${basename(this.current.runDir)}.`, { modal: true }, replace);
      if (choice !== replace) return;
      await this.stop({ quiet: true });
    }
    const run = describeRun(runDir);
    const baseDir = baseDirForRun(runDir, run.file);
    const scope = vscode.Uri.file(baseDir);
    const launch = await this.deps.launch(serveArguments(this.deps.cliPath, runDir, readServiceSettings(scope), readSettings(scope), baseDir), baseDir);
    this.deps.log.info(`prediction service: ${launch.command} ${launch.args.join(' ')}`);
    const child = new PredictionServiceProcess(launch, (line) => this.deps.log.info(`serve: ${line}`));
    const service: RunningService = { runDir, process: child };
    this.current = service;
    this.render();
    void child.exited.then((exit) => {
      if (this.current !== service) return;
      this.current = undefined;
      this.render();
      // An exit before it listened is reported by start's own error; only a later one is news.
      if (!exit.stopped && service.banner) {
        void this.reportError(`the prediction service for ${basename(runDir)} stopped (${exit.signal ?? `exit code ${exit.code}`})${exit.stderrTail ? `: ${exit.stderrTail.split('\n').at(-1)}` : ''}`);
      }
    });
    try {
      const banner = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Starting the prediction service for ${basename(runDir)} (loading the weights, fitting the temperature)`, cancellable: true },
        (_progress, token) => {
          token.onCancellationRequested(() => void child.stop());
          return child.ready;
        },
      );
      service.banner = banner;
      this.render();
      this.deps.log.info(`prediction service for ${runDir} at ${banner.url} (temperature ${banner.temperature})`);
      await this.announce(banner);
    } catch (error) {
      if (this.current === service) this.current = undefined;
      this.render();
      if (!(await child.exited).stopped) await this.reportError((error as Error).message);
    }
  }

  async stop(options: { quiet?: boolean } = {}): Promise<void> {
    const service = this.current;
    if (!service) {
      if (!options.quiet) void vscode.window.showInformationMessage('ConvLab: no prediction service is running.');
      return;
    }
    await service.process.stop();
    if (this.current === service) this.current = undefined;
    this.render();
    this.deps.log.info(`prediction service for ${service.runDir} stopped`);
    if (!options.quiet) void vscode.window.showInformationMessage(`ConvLab: the prediction service for ${basename(service.runDir)} stopped.`);
  }

  /** The status bar's menu: copy the token, the URL or a curl example, or stop. */
  async actions(): Promise<void> {
    const banner = this.current?.banner;
    if (!banner) {
      if (this.current) void vscode.window.showInformationMessage('ConvLab: the prediction service is still starting.');
      return;
    }
    const choices = [
      { label: '$(key) Copy the token', run: () => this.copy(banner.token, 'token') },
      { label: '$(link) Copy the URL', description: banner.url, run: () => this.copy(banner.url, 'URL') },
      { label: '$(terminal) Copy a curl example', run: () => this.copy(curlExample(banner), 'curl example (it holds the token)') },
      { label: '$(debug-stop) Stop the service', run: () => this.stop() },
    ];
    const picked = await vscode.window.showQuickPick(choices, { placeHolder: `Serving ${banner.model} at ${banner.url}` });
    await picked?.run();
  }

  /** VS Code is closing: end the service with it. */
  async dispose(): Promise<void> {
    this.item.dispose();
    await this.current?.process.stop();
    this.current = undefined;
  }

  private async announce(banner: ServiceBanner): Promise<void> {
    const copyToken = 'Copy token';
    const copyUrl = 'Copy URL';
    const choice = await vscode.window.showInformationMessage(
      `ConvLab: serving ${banner.model} at ${banner.url} (temperature ${banner.temperature.toFixed(3)}). POST an image to /predict with the token as a bearer token.`,
      copyToken, copyUrl,
    );
    if (choice === copyToken) await this.copy(banner.token, 'token');
    else if (choice === copyUrl) await this.copy(banner.url, 'URL');
  }

  private async copy(text: string, what: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`ConvLab: the service's ${what} is on the clipboard`, 4000);
  }

  private async reportError(message: string): Promise<void> {
    const showLog = 'Show log';
    if ((await vscode.window.showErrorMessage(`ConvLab: ${message}`, showLog)) === showLog) this.deps.log.show();
  }

  private render(): void {
    const service = this.current;
    if (!service) {
      this.item.hide();
      return;
    }
    if (service.banner) {
      const port = new URL(service.banner.url).port;
      this.item.text = `$(radio-tower) ConvLab: serving ${service.banner.model} :${port}`;
      this.item.tooltip = `Prediction service for ${service.runDir} at ${service.banner.url} (temperature ${service.banner.temperature.toFixed(3)}).\nClick to copy the token or the URL, or to stop it.`;
    } else {
      this.item.text = `$(loading~spin) ConvLab: starting the prediction service`;
      this.item.tooltip = `Loading ${service.runDir}`;
    }
    this.item.show();
  }
}
