/**
 * "Explain an image": a model's forward pass for one input and the sum behind any value the user
 * clicks, from the long-lived `convlab serve-engine` (methods `explain` and `explainUnit`), with
 * the newest trained run's best weights, or the initial ones when there is no run or the user
 * asks for them.
 */
import * as vscode from 'vscode';
import type { ExplainFlow, ExplainRequest } from '../../protocol/explain';
import { ExplainFromViewSchema, type ExplainFromView, type ExplainState, type ExplainToView } from '../../protocol/webview';
import { baseDirFor, readSettings } from '../config';
import { resolveFolder } from '../jobs/engine-command';
import type { ServeEngineClient } from '../jobs/serve-engine-client';
import { latestTrainedRun } from '../runs/run-replay';
import { createViewPanel, ViewPanel } from './view-panel';
import { panelSerializer } from './webview-setup';

export const EXPLAIN_VIEW_TYPE = 'convlab.explain';

export interface ExplainDeps {
  extensionUri: vscode.Uri;
  engine: ServeEngineClient;
  log: vscode.LogOutputChannel;
}

export class ExplainPanel extends ViewPanel<ExplainToView, typeof ExplainFromViewSchema> {
  private static readonly open = new Map<string, ExplainPanel>();

  /** Only the newest answer is shown when the user clicks through values quickly. */
  private requestCount = 0;
  private flow: ExplainFlow | undefined;

  static show(deps: ExplainDeps, state: ExplainState): void {
    const existing = ExplainPanel.open.get(keyOf(state.uri, state.model));
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      void existing.explain({ ...existing.state, ...state });
      return;
    }
    new ExplainPanel(createViewPanel(EXPLAIN_VIEW_TYPE, titleOf(state.model), deps.extensionUri), deps, state);
  }

  static serializer(deps: ExplainDeps): vscode.WebviewPanelSerializer<ExplainState> {
    return panelSerializer<ExplainState>('explain', deps.log, (state) => !!state?.uri && !!state.model, (panel, state) => new ExplainPanel(panel, deps, state));
  }

  private constructor(panel: vscode.WebviewPanel, private readonly deps: ExplainDeps, private state: ExplainState) {
    super(panel, { extensionUri: deps.extensionUri, log: deps.log, bundle: 'explain', name: 'explain', schema: ExplainFromViewSchema, title: titleOf(state.model), initialState: state });
    ExplainPanel.open.set(keyOf(state.uri, state.model), this);
  }

  dispose(): void {
    ExplainPanel.open.delete(keyOf(this.state.uri, this.state.model));
    this.disposables.forEach((d) => d.dispose());
  }

  /** After the view (re)loads: the flow, then the value that was selected before the reload. */
  protected async onReady(): Promise<void> {
    const selected = this.state.selected;
    await this.explain(this.state);
    if (selected) await this.explainUnit(selected.layer, selected.position);
  }

  protected async onMessage(message: Exclude<ExplainFromView, { type: 'ready' }>): Promise<void> {
    switch (message.type) {
      case 'request':
        await this.explain({ ...this.state, sample: message.sample, image: message.image });
        break;
      case 'pickImage': {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Images: ['png', 'jpg', 'jpeg'] }, title: 'An image to pass through the model' });
        if (picked?.[0]) await this.explain({ ...this.state, image: picked[0].fsPath });
        break;
      }
      case 'weights':
        await this.explain({ ...this.state, initial: message.initial });
        break;
      case 'explainUnit':
        await this.explainUnit(message.layer, message.position);
        break;
      case 'reveal':
        await this.reveal(message.line);
        break;
    }
  }

  private async explain(next: ExplainState): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.connection.post({ type: 'error', message: 'Explaining an image runs the engine, which is turned off in Restricted Mode: trust this workspace to use it.' });
      return;
    }
    this.state = { ...next, selected: undefined, ...(next.image ? { sample: undefined } : { sample: next.sample ?? 0 }) };
    const id = ++this.requestCount;
    this.connection.post({ type: 'loading' });
    try {
      const flow = await this.deps.engine.explain(this.request());
      if (id !== this.requestCount) return;
      this.flow = flow;
      this.connection.post({ type: 'flow', flow });
    } catch (error) {
      if (id === this.requestCount) this.connection.post({ type: 'error', message: (error as Error).message });
    }
  }

  private async explainUnit(layer: string, position: number[]): Promise<void> {
    if (!this.flow) return;
    const id = ++this.requestCount;
    try {
      const unit = await this.deps.engine.explainUnit({ ...this.request(), layer, position });
      if (id !== this.requestCount) return;
      this.state = { ...this.state, selected: { layer, position } };
      this.connection.post({ type: 'unit', unit });
    } catch (error) {
      if (id === this.requestCount) this.connection.post({ type: 'error', message: (error as Error).message });
    }
  }

  /** The engine request for the current choices: the newest trained run unless initial weights were asked for. */
  private request(): ExplainRequest {
    const source = vscode.Uri.parse(this.state.uri);
    const settings = readSettings(source);
    const baseDir = baseDirFor(source);
    const run = this.state.initial ? undefined : (this.state.run ?? latestTrainedRun(resolveFolder(settings.runsDir, baseDir), this.state.model));
    return {
      file: source.fsPath, model: this.state.model,
      ...(run ? { run } : {}),
      ...(this.state.image ? { image: this.state.image } : { sample: this.state.sample ?? 0 }),
      ...(settings.dataDir ? { dataDir: resolveFolder(settings.dataDir, baseDir) } : {}),
    };
  }

  /** Shows a layer's line in the source editor, not over the view. */
  private async reveal(line: number): Promise<void> {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(this.state.uri));
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.state.uri);
    const selection = new vscode.Range(line, 0, line, document.lineAt(Math.min(line, document.lineCount - 1)).text.length);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.Beside, selection, preserveFocus: false });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}

function keyOf(uri: string, model: string): string {
  return `${uri}#${model}`;
}

function titleOf(model: string): string {
  return `Explain: ${model}`;
}
