/**
 * The evaluation of a finished run: `convlab eval RUN --json` as a one-shot engine process, its
 * report drawn by the evaluation view. One panel per run folder; the report is kept in the view's
 * state, so a reload shows it again without evaluating again.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { EvaluationReportSchema } from '../../protocol/evaluation';
import { COMMANDS } from '../../protocol/lsp';
import { EvaluationFromViewSchema, type EvaluationFromView, type EvaluationState, type EvaluationToView } from '../../protocol/webview';
import { GRAD_CAM_COMMAND } from '../commands/gradcam';
import { baseDirForRun, readSettings } from '../config';
import { evalArguments } from '../jobs/engine-command';
import { EngineCommandCancelled, runEngineJson } from '../jobs/engine-json';
import type { EngineLauncher } from '../jobs/engine-process';
import { describeRun } from '../runs/run-list';
import { createViewPanel, ViewPanel } from './view-panel';
import { panelSerializer } from './webview-setup';

export const EVALUATION_VIEW_TYPE = 'convlab.evaluation';

export interface EvaluationDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  cliPath: string;
  launch: EngineLauncher;
}

export class EvaluationPanel extends ViewPanel<EvaluationToView, typeof EvaluationFromViewSchema> {
  private static readonly open = new Map<string, EvaluationPanel>();

  private running: AbortController | undefined;
  private error: string | undefined;
  private disposed = false;

  /** Opens the run's evaluation (evaluating it), or reveals the one already open. */
  static show(deps: EvaluationDeps, runDir: string): void {
    const existing = EvaluationPanel.open.get(runDir);
    if (existing) {
      existing.panel.reveal(undefined, false);
      return;
    }
    new EvaluationPanel(createViewPanel(EVALUATION_VIEW_TYPE, titleOf(runDir), deps.extensionUri, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }), deps, { runDir });
  }

  static serializer(deps: EvaluationDeps): vscode.WebviewPanelSerializer<EvaluationState> {
    return panelSerializer<EvaluationState>('evaluation', deps.log, (state) => !!state?.runDir, (panel, state) => new EvaluationPanel(panel, deps, state));
  }

  private constructor(panel: vscode.WebviewPanel, private readonly deps: EvaluationDeps, private state: EvaluationState) {
    super(panel, { extensionUri: deps.extensionUri, log: deps.log, bundle: 'evaluation', name: 'evaluation', schema: EvaluationFromViewSchema, title: titleOf(state.runDir), initialState: state });
    EvaluationPanel.open.set(state.runDir, this);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.running?.abort();
    EvaluationPanel.open.delete(this.state.runDir);
    this.disposables.forEach((d) => d.dispose());
  }

  /** After the view (re)loads: what it had, else the evaluation in progress, else a new one. */
  protected onReady(): void {
    if (this.state.report) this.connection.post({ type: 'report', report: this.state.report });
    else if (this.running) this.connection.post({ type: 'evaluating', runDir: this.state.runDir });
    else if (this.error !== undefined) this.connection.post({ type: 'error', runDir: this.state.runDir, message: this.error });
    else void this.evaluate();
  }

  protected onMessage(message: Exclude<EvaluationFromView, { type: 'ready' }>): void {
    const runDir = this.state.runDir;
    if (message.type === 'evaluate') void this.evaluate();
    else if (message.type === 'openRun') void vscode.commands.executeCommand(COMMANDS.openRun, runDir);
    else if (message.type === 'explain') void vscode.commands.executeCommand(GRAD_CAM_COMMAND, { runDir, sample: message.sample });
  }

  private async evaluate(): Promise<void> {
    const runDir = this.state.runDir;
    if (!vscode.workspace.isTrusted) {
      this.fail('evaluating runs the engine, which is turned off in Restricted Mode: trust this workspace to evaluate.');
      return;
    }
    this.running?.abort();
    const running = new AbortController();
    this.running = running;
    this.error = undefined;
    this.connection.post({ type: 'evaluating', runDir });
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Evaluating ${basename(runDir)} on its test split`, cancellable: true },
        async (_progress, token) => {
          token.onCancellationRequested(() => running.abort());
          const run = describeRun(runDir);
          const baseDir = baseDirForRun(runDir, run.file);
          const launch = await this.deps.launch(evalArguments(this.deps.cliPath, runDir, readSettings(vscode.Uri.file(baseDir)), baseDir), baseDir);
          this.deps.log.info(`evaluate: ${launch.command} ${launch.args.join(' ')}`);
          return runEngineJson(EvaluationReportSchema, launch, { signal: running.signal, onLog: (line) => this.deps.log.info(`eval: ${line}`) });
        },
      );
      if (this.running !== running || this.disposed) return;
      this.state = { runDir, report };
      this.connection.post({ type: 'report', report });
      this.deps.log.info(`evaluated ${runDir}: test accuracy ${(report.accuracy * 100).toFixed(2)}%`);
    } catch (error) {
      if (this.running !== running || this.disposed) return;
      this.fail(error instanceof EngineCommandCancelled ? 'the evaluation was cancelled.' : (error as Error).message);
    } finally {
      if (this.running === running) this.running = undefined;
    }
  }

  private fail(message: string): void {
    this.error = message;
    this.deps.log.warn(`evaluate ${this.state.runDir}: ${message}`);
    this.connection.post({ type: 'error', runDir: this.state.runDir, message });
  }
}

function titleOf(runDir: string): string {
  return `Evaluation: ${basename(runDir)}`;
}
