/**
 * The gradient flow of a run: its gradient-flow.jsonl, then the events of a run still training as
 * they come, beside the newest runs of the other models of the same file. Clicking a layer shows
 * its line in the model file. One panel per run folder.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { EngineEvent } from '../../protocol/engine';
import { GradientFlowFromViewSchema, type GradientFlowFromView, type GradientFlowRun, type GradientFlowState, type GradientFlowToView } from '../../protocol/webview';
import { comparedRuns, flowRun } from '../runs/gradient-flow-runs';
import { createViewPanel, ViewPanel } from './view-panel';
import { panelSerializer } from './webview-setup';

export const GRADIENT_FLOW_VIEW_TYPE = 'convlab.gradientFlow';

export interface GradientFlowDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  isTraining(runDir: string): boolean;
  readonly onDidRunEvent: vscode.Event<{ runDir: string; event: EngineEvent }>;
}

export class GradientFlowPanel extends ViewPanel<GradientFlowToView, typeof GradientFlowFromViewSchema> {
  private static readonly open = new Map<string, GradientFlowPanel>();
  private runs: GradientFlowRun[] = [];
  private disposed = false;

  static show(deps: GradientFlowDeps, runDir: string): void {
    const existing = GradientFlowPanel.open.get(runDir);
    if (existing) {
      existing.panel.reveal(undefined, false);
      return;
    }
    new GradientFlowPanel(createViewPanel(GRADIENT_FLOW_VIEW_TYPE, titleOf(runDir), deps.extensionUri, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }), deps, { runDir });
  }

  static serializer(deps: GradientFlowDeps): vscode.WebviewPanelSerializer<GradientFlowState> {
    return panelSerializer<GradientFlowState>('gradient flow', deps.log, (state) => !!state?.runDir, (panel, state) => new GradientFlowPanel(panel, deps, state));
  }

  private constructor(panel: vscode.WebviewPanel, private readonly deps: GradientFlowDeps, private readonly state: GradientFlowState) {
    super(panel, { extensionUri: deps.extensionUri, log: deps.log, bundle: 'gradientflow', name: 'gradient flow', schema: GradientFlowFromViewSchema, title: titleOf(state.runDir), initialState: state });
    GradientFlowPanel.open.set(state.runDir, this);
    this.disposables.push(deps.onDidRunEvent(({ runDir, event }) => this.onRunEvent(runDir, event)));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    GradientFlowPanel.open.delete(this.state.runDir);
    this.disposables.forEach((d) => d.dispose());
  }

  protected onReady(): void {
    const problems: string[] = [];
    const main = flowRun(this.state.runDir, this.deps.isTraining(this.state.runDir), problems);
    problems.forEach((p) => this.deps.log.warn(`gradient flow: ${p}`));
    if (!main) {
      void vscode.window.showWarningMessage(`ConvLab: ${this.state.runDir} has no training record (metrics.jsonl) to show the gradient flow of.`);
      return;
    }
    if (main.events.length === 0 && !main.live) void vscode.window.showInformationMessage(`ConvLab: ${main.name} recorded no gradient flow (trained before it was recorded, or with convlab.gradientFlow.interval 0).`);
    this.runs = [main, ...comparedRuns(this.state.runDir, (dir) => this.deps.isTraining(dir))];
    this.connection.post({ type: 'runs', runs: this.runs });
  }

  protected async onMessage(message: Exclude<GradientFlowFromView, { type: 'ready' }>): Promise<void> {
    const run = this.runs.find((r) => r.runDir === message.runDir);
    if (!run) return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(run.file));
    const line = Math.min(message.line - 1, document.lineCount - 1);
    const range = document.lineAt(line).range;
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: range, preserveFocus: false });
  }

  private onRunEvent(runDir: string, event: EngineEvent): void {
    if (!this.runs.some((r) => r.runDir === runDir)) return;
    if (event.type === 'gradientFlow') this.connection.post({ type: 'event', runDir, event });
    else if (event.type === 'done' || event.type === 'cancelled' || event.type === 'error') this.connection.post({ type: 'ended', runDir });
  }
}

function titleOf(runDir: string): string {
  return `Gradient flow: ${basename(runDir)}`;
}
