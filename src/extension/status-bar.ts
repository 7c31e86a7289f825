/**
 * The status-bar item: the backend ConvLab trains on, and while a job runs its progress. Shown
 * while a .cnn file is in front or a job is running; a click opens the running job's dashboard,
 * or the backend setting when idle.
 */
import * as vscode from 'vscode';
import type { BackendName } from '../protocol/engine';
import { readSettings } from './config';
import type { RunProgress } from './jobs/run-progress';
import { CNN_LANGUAGE } from './lsp/client';
import { COMMANDS } from '../protocol/commands';

export const SHOW_RUNNING_DASHBOARD_COMMAND = COMMANDS.showRunningDashboard;

export interface JobsSnapshot {
  running: RunProgress[];
  waiting: number;
}

export class TrainingStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('convlab.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];
  private jobs: JobsSnapshot = { running: [], waiting: 0 };

  constructor(private readonly lastBackend: () => BackendName | undefined) {
    this.item.name = 'ConvLab training';
    this.subscriptions = [
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('convlab.backend')) this.render();
      }),
    ];
    this.render();
  }

  update(jobs: JobsSnapshot): void {
    this.jobs = jobs;
    this.render();
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }

  private render(): void {
    const [first, ...others] = this.jobs.running;
    if (first) {
      const backend = first.backend ?? this.idleBackend();
      const more = others.length + this.jobs.waiting;
      this.item.text = `$(sync~spin) ${first.statusText()} · ${backend}${more > 0 ? ` (+${more})` : ''}`;
      this.item.tooltip = `ConvLab is training ${first.model} on ${backend}: ${first.detailText()}${this.jobs.waiting > 0 ? `\n${this.jobs.waiting} more waiting` : ''}\nClick to show its dashboard.`;
      this.item.command = first.runDir ? { title: 'Show dashboard', command: SHOW_RUNNING_DASHBOARD_COMMAND, arguments: [first.runDir] } : undefined;
      this.item.show();
      return;
    }
    this.item.text = `$(beaker) ConvLab: ${this.idleBackend()}`;
    this.item.tooltip = 'The engine and backend ConvLab trains on (settings convlab.engine and convlab.backend). Click to change the backend.';
    this.item.command = { title: 'Choose the backend', command: 'workbench.action.openSettings', arguments: ['convlab.backend'] };
    if (vscode.window.activeTextEditor?.document.languageId === CNN_LANGUAGE) this.item.show();
    else this.item.hide();
  }

  /** The setting, or for `auto` the backend the engine chose last time; `pytorch` when that engine is set. */
  private idleBackend(): string {
    const { backend: setting, engine } = readSettings();
    if (engine === 'pytorch') return setting === 'auto' ? 'pytorch' : `pytorch (${setting})`;
    if (setting !== 'auto') return setting;
    const last = this.lastBackend();
    return last ? `auto (${last})` : 'auto';
  }
}
