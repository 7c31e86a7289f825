/**
 * Grad-CAM of a model: `convlab gradcam FILE --json` as a one-shot engine process per request
 * (a new layer, class or input), with the newest trained run's weights unless a run was named.
 * Only the newest request's answer is shown; an older one still running is ended.
 */
import * as vscode from 'vscode';
import { GradCamResultSchema, type GradCamResult } from '../../protocol/gradcam';
import { GradCamFromViewSchema, type GradCamFromView, type GradCamLayer, type GradCamState, type GradCamToView } from '../../protocol/webview';
import { baseDirFor, readSettings } from '../config';
import { gradCamArguments, resolveFolder } from '../jobs/engine-command';
import { EngineCommandCancelled, runEngineJson } from '../jobs/engine-json';
import type { EngineLauncher } from '../jobs/engine-process';
import type { ModelService } from '../lsp/client';
import { latestTrainedRun } from '../runs/run-replay';
import { createViewPanel, ViewPanel } from './view-panel';
import { panelSerializer } from './webview-setup';

export const GRAD_CAM_VIEW_TYPE = 'convlab.gradCam';

export interface GradCamDeps {
  extensionUri: vscode.Uri;
  models: ModelService;
  log: vscode.LogOutputChannel;
  cliPath: string;
  launch: EngineLauncher;
}

/** What to explain: a model (by its file's URI), optionally a run, an input, a layer, a class. */
export type GradCamChoice = Pick<GradCamState, 'layer' | 'classIndex' | 'sample' | 'image'>;

export class GradCamPanel extends ViewPanel<GradCamToView, typeof GradCamFromViewSchema> {
  private static readonly open = new Map<string, GradCamPanel>();

  private running: AbortController | undefined;
  private layers: GradCamLayer[] | undefined;
  private last: { result: GradCamResult } | { error: string } | undefined;
  private disposed = false;

  /** Opens (or reveals) the model's Grad-CAM view and explains `choice` there. */
  static show(deps: GradCamDeps, state: GradCamState): void {
    const existing = GradCamPanel.open.get(keyOf(state.uri, state.model));
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      if (state.run) existing.state = { ...existing.state, run: state.run };
      void existing.explain({ sample: state.sample, image: state.image, layer: state.layer ?? existing.state.layer, classIndex: state.classIndex });
      return;
    }
    new GradCamPanel(createViewPanel(GRAD_CAM_VIEW_TYPE, titleOf(state.model), deps.extensionUri), deps, state);
  }

  static serializer(deps: GradCamDeps): vscode.WebviewPanelSerializer<GradCamState> {
    return panelSerializer<GradCamState>('grad-cam', deps.log, (state) => !!state?.uri && !!state.model, (panel, state) => new GradCamPanel(panel, deps, state));
  }

  private constructor(panel: vscode.WebviewPanel, private readonly deps: GradCamDeps, private state: GradCamState) {
    super(panel, { extensionUri: deps.extensionUri, log: deps.log, bundle: 'gradcam', name: 'grad-cam', schema: GradCamFromViewSchema, title: titleOf(state.model), initialState: state });
    GradCamPanel.open.set(keyOf(state.uri, state.model), this);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.running?.abort();
    GradCamPanel.open.delete(keyOf(this.state.uri, this.state.model));
    this.disposables.forEach((d) => d.dispose());
  }

  /** After the view (re)loads: the layers, then the last answer, or the first request. */
  protected async onReady(): Promise<void> {
    this.layers ??= await this.listLayers();
    this.connection.post({ type: 'layers', layers: this.layers, ...(this.state.layer ? { current: this.state.layer } : {}) });
    if (this.running) this.connection.post({ type: 'loading' });
    else if (this.last && 'result' in this.last) this.connection.post({ type: 'result', result: this.last.result });
    else if (this.last) this.connection.post({ type: 'error', message: this.last.error });
    else await this.explain(this.state);
  }

  protected async onMessage(message: Exclude<GradCamFromView, { type: 'ready' }>): Promise<void> {
    if (message.type === 'request') {
      await this.explain(message);
    } else if (message.type === 'pickImage') {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Images: ['png', 'jpg', 'jpeg'] }, title: 'An image for the model to classify and explain' });
      if (picked?.[0]) await this.explain({ layer: this.state.layer, classIndex: this.state.classIndex, image: picked[0].fsPath });
    }
  }

  /** The model's layers with H×W×C output: the ones Grad-CAM can weight. */
  private async listLayers(): Promise<GradCamLayer[]> {
    try {
      const uri = vscode.Uri.parse(this.state.uri);
      // The language server answers for open documents only; this opens it without an editor.
      await vscode.workspace.openTextDocument(uri);
      const summary = await this.deps.models.summary(uri);
      const model = summary.models.find((m) => m.name === this.state.model);
      return (model?.layers ?? []).flatMap((l) => (l.type !== 'Input' && l.outputShape?.length === 3 ? [{ name: l.name, type: l.type, outputShape: l.outputShape }] : []));
    } catch (error) {
      this.deps.log.warn(`grad-cam: could not list the layers of ${this.state.model}: ${(error as Error).message}`);
      return [];
    }
  }

  private async explain(choice: GradCamChoice): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.post({ error: 'Grad-CAM runs the engine, which is turned off in Restricted Mode: trust this workspace to use it.' });
      return;
    }
    this.running?.abort();
    const running = new AbortController();
    this.running = running;
    const source = vscode.Uri.parse(this.state.uri);
    const settings = readSettings(source);
    const baseDir = baseDirFor(source);
    const run = this.state.run ?? latestTrainedRun(resolveFolder(settings.runsDir, baseDir), this.state.model);
    this.state = { ...this.state, layer: choice.layer, classIndex: choice.classIndex, sample: choice.image ? undefined : (choice.sample ?? 0), image: choice.image };
    this.connection.post({ type: 'loading' });
    try {
      const { layer, classIndex, sample, image } = this.state;
      const args = gradCamArguments(this.deps.cliPath, { file: source.fsPath, model: this.state.model, baseDir, run, layer, classIndex, sample, image }, settings);
      const launch = await this.deps.launch(args, baseDir);
      this.deps.log.info(`grad-cam: ${launch.command} ${launch.args.join(' ')}`);
      const result = await runEngineJson(GradCamResultSchema, launch, { signal: running.signal, onLog: (line) => this.deps.log.info(`gradcam: ${line}`) });
      if (this.running === running && !this.disposed) this.post({ result });
    } catch (error) {
      if (error instanceof EngineCommandCancelled || this.running !== running || this.disposed) return;
      this.post({ error: (error as Error).message });
    } finally {
      if (this.running === running) this.running = undefined;
    }
  }

  private post(answer: { result: GradCamResult } | { error: string }): void {
    this.last = answer;
    this.connection.post('result' in answer ? { type: 'result', result: answer.result } : { type: 'error', message: answer.error });
  }
}

function keyOf(uri: string, model: string): string {
  return `${uri}#${model}`;
}

function titleOf(model: string): string {
  return `Grad-CAM: ${model}`;
}
