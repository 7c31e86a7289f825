/**
 * The training dashboard of one run: a live run's events as they come from the job manager, or a
 * finished run replayed from its folder (Open run), with earlier runs of the same model, and the
 * newest run of each other model of its file, to overlay.
 */
import * as vscode from 'vscode';
import { basename, dirname, join } from 'node:path';
import type { EngineEvent } from '../../protocol/engine';
import { DashboardFromViewSchema, type DashboardFromView, type DashboardState, type DashboardToView, type RunHistory } from '../../protocol/webview';
import { modelFromFolderName, replayRun, runsOfModel } from '../runs/run-replay';
import { createViewPanel, ViewPanel } from './view-panel';
import { panelSerializer } from './webview-setup';
import { siblingRuns } from '../runs/sibling-runs';
import { EVALUATE_RUN_COMMAND } from '../commands/evaluate';
import { COMMANDS } from '../../protocol/commands';

export const DASHBOARD_VIEW_TYPE = 'convlab.dashboard';

/** Earlier runs offered for overlay, newest first. */
const OVERLAY_RUNS = 5;

/** What the job manager tells the dashboards about runs in progress. */
export interface LiveRuns {
  history(runDir: string): RunHistory | undefined;
  cancelRun(runDir: string): boolean;
  readonly onDidRunEvent: vscode.Event<{ runDir: string; event: EngineEvent }>;
}

export class DashboardPanels implements vscode.Disposable {
  private readonly open = new Map<string, DashboardPanel>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly extensionUri: vscode.Uri, private readonly live: LiveRuns, private readonly log: vscode.LogOutputChannel) {
    this.subscription = live.onDidRunEvent(({ runDir, event }) => this.open.get(runDir)?.post({ type: 'event', runDir, event }));
  }

  /** Opens (or reveals) the dashboard of a run, live or from its folder. */
  show(runDir: string, options: { preserveFocus: boolean }): void {
    const existing = this.open.get(runDir);
    if (existing) {
      existing.reveal(options.preserveFocus);
      return;
    }
    this.attach(createViewPanel(DASHBOARD_VIEW_TYPE, titleOf(runDir), this.extensionUri, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus }), { runDir });
  }

  serializer(): vscode.WebviewPanelSerializer<DashboardState> {
    return panelSerializer<DashboardState>('dashboard', this.log, (state) => !!state?.runDir, (panel, state) => this.attach(panel, state));
  }

  dispose(): void {
    this.subscription.dispose();
    for (const panel of [...this.open.values()]) panel.dispose();
  }

  private attach(panel: vscode.WebviewPanel, state: DashboardState): void {
    const dashboard = new DashboardPanel(panel, this.extensionUri, state, {
      history: (runDir) => this.history(runDir),
      cancel: (runDir) => this.live.cancelRun(runDir),
      openRun: (runDir) => this.show(runDir, { preserveFocus: false }),
      closed: () => this.open.delete(state.runDir),
      log: this.log,
    });
    this.open.set(state.runDir, dashboard);
  }

  /** The live history while the run is going, else what its folder recorded. */
  private history(runDir: string): RunHistory | undefined {
    const live = this.live.history(runDir);
    if (live) return live;
    try {
      const problems: string[] = [];
      const run = replayRun(runDir, problems);
      problems.forEach((problem) => this.log.warn(`dashboard: skipped ${problem}`));
      return run;
    } catch (error) {
      this.log.warn(`dashboard: ${(error as Error).message}`);
      return undefined;
    }
  }
}

interface DashboardActions {
  history(runDir: string): RunHistory | undefined;
  cancel(runDir: string): boolean;
  openRun(runDir: string): void;
  closed(): void;
  log: vscode.LogOutputChannel;
}

class DashboardPanel extends ViewPanel<DashboardToView, typeof DashboardFromViewSchema> {
  private disposed = false;

  constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly state: DashboardState, private readonly actions: DashboardActions) {
    super(panel, { extensionUri, log: actions.log, bundle: 'dashboard', name: 'dashboard', schema: DashboardFromViewSchema, title: titleOf(state.runDir), initialState: state });
  }

  reveal(preserveFocus: boolean): void {
    this.panel.reveal(undefined, preserveFocus);
  }

  post(message: DashboardToView): void {
    this.connection.post(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.actions.closed();
    this.disposables.forEach((d) => d.dispose());
    this.panel.dispose();
  }

  protected onMessage(message: Exclude<DashboardFromView, { type: 'ready' }>): void {
    if (message.type === 'openRun') this.actions.openRun(message.runDir);
    else if (message.type === 'evaluate') void vscode.commands.executeCommand(EVALUATE_RUN_COMMAND, message.runDir);
    else if (message.type === 'gradientFlow') void vscode.commands.executeCommand(COMMANDS.showGradientFlow, message.runDir);
    else if (message.type === 'export') void saveExport(message.runDir, message.format, message.data);
    else if (message.type === 'cancel' && !this.actions.cancel(message.runDir)) void vscode.window.showInformationMessage('ConvLab: that run is no longer training.');
  }

  protected onReady(): void {
    const run = this.actions.history(this.state.runDir);
    if (!run) {
      void vscode.window.showWarningMessage(`ConvLab: ${this.state.runDir} has no training record to show.`);
      return;
    }
    this.connection.post({ type: 'run', run });
    const model = modelFromFolderName(basename(this.state.runDir));
    // Earlier runs of this model, then the newest of each other model of its file (a deeper
    // and a shallower network, with and without shortcuts: samples/vanishing-gradients.cnn).
    const earlier = [...runsOfModel(dirname(this.state.runDir), model).filter((dir) => dir !== this.state.runDir).slice(0, OVERLAY_RUNS), ...siblingRuns(this.state.runDir).slice(0, OVERLAY_RUNS)];
    const runs = earlier.flatMap((dir) => {
      try {
        return [replayRun(dir)];
      } catch {
        return [];
      }
    });
    if (runs.length > 0) this.connection.post({ type: 'overlay', runs });
  }
}

/** Saves what the view exported, where the user picks (the run folder by default). */
async function saveExport(runDir: string, format: 'svg' | 'png' | 'csv', data: string): Promise<void> {
  const filters: Record<string, string[]> = { [{ svg: 'SVG image', png: 'PNG image', csv: 'CSV table' }[format]]: [format] };
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(join(runDir, `curves.${format}`)), filters, title: 'Export the training curves' });
  if (!target) return;
  const bytes = format === 'png' ? Buffer.from(data.slice(data.indexOf(',') + 1), 'base64') : new TextEncoder().encode(data);
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(`ConvLab: saved ${vscode.workspace.asRelativePath(target)}`);
}

function titleOf(runDir: string): string {
  return `Training: ${basename(runDir)}`;
}
