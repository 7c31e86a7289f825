/**
 * Filters and feature maps of a model's layers, from the long-lived `convlab serve-engine`
 * process: the newest trained run's weights when there is one (else the untrained model), for
 * a test example of the dataset or an image the user picks.
 */
import * as vscode from 'vscode';
import type { InspectRequest } from '../../protocol/inspect';
import { FeatureMapsFromViewSchema, type FeatureMapsFromView, type FeatureMapsState, type FeatureMapsToView } from '../../protocol/webview';
import { baseDirFor, readSettings } from '../config';
import { resolveFolder } from '../jobs/engine-command';
import type { ServeEngineClient } from '../jobs/serve-engine-client';
import type { ModelService } from '../lsp/client';
import { latestTrainedRun } from '../runs/run-replay';
import { createViewPanel, ViewPanel } from './view-panel';
import { panelSerializer } from './webview-setup';

export const FEATURE_MAPS_VIEW_TYPE = 'convlab.featureMaps';

export interface FeatureMapsDeps {
  extensionUri: vscode.Uri;
  models: ModelService;
  engine: ServeEngineClient;
  log: vscode.LogOutputChannel;
}

export class FeatureMapsPanel extends ViewPanel<FeatureMapsToView, typeof FeatureMapsFromViewSchema> {
  private static readonly open = new Map<string, FeatureMapsPanel>();

  /** Only the newest request's answer is shown when the user clicks through layers quickly. */
  private requestCount = 0;
  /** The model's layers with feature maps, as last sent to the view. */
  private layers: string[] = [];

  static show(deps: FeatureMapsDeps, document: vscode.TextDocument, model: string, layer: string): void {
    const existing = FeatureMapsPanel.open.get(keyOf(document.uri.toString(), model));
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      existing.connection.post({ type: 'layers', layers: existing.layers, current: layer });
      void existing.inspect({ layer });
      return;
    }
    new FeatureMapsPanel(createViewPanel(FEATURE_MAPS_VIEW_TYPE, titleOf(model), deps.extensionUri), deps, { uri: document.uri.toString(), model, layer });
  }

  static serializer(deps: FeatureMapsDeps): vscode.WebviewPanelSerializer<FeatureMapsState> {
    return panelSerializer<FeatureMapsState>('feature-maps', deps.log, (state) => !!state?.uri && !!state.model && !!state.layer, (panel, state) => new FeatureMapsPanel(panel, deps, state));
  }

  private constructor(panel: vscode.WebviewPanel, private readonly deps: FeatureMapsDeps, private state: FeatureMapsState) {
    super(panel, { extensionUri: deps.extensionUri, log: deps.log, bundle: 'featuremaps', name: 'feature-maps', schema: FeatureMapsFromViewSchema, title: titleOf(state.model), initialState: state });
    FeatureMapsPanel.open.set(keyOf(state.uri, state.model), this);
  }

  dispose(): void {
    FeatureMapsPanel.open.delete(keyOf(this.state.uri, this.state.model));
    this.disposables.forEach((d) => d.dispose());
  }

  protected async onReady(): Promise<void> {
    try {
      const summary = await this.deps.models.summary(vscode.Uri.parse(this.state.uri));
      const model = summary.models.find((m) => m.name === this.state.model);
      // Layers with a spatial output: the ones that have feature maps to look at.
      this.layers = (model?.layers ?? []).filter((l) => l.type !== 'Input' && l.outputShape?.length === 3).map((l) => l.name);
      this.connection.post({ type: 'layers', layers: this.layers, current: this.state.layer });
    } catch (error) {
      this.connection.post({ type: 'error', message: `could not list the layers: ${(error as Error).message}` });
    }
    await this.inspect({ layer: this.state.layer, sample: this.state.sample });
  }

  protected async onMessage(message: Exclude<FeatureMapsFromView, { type: 'ready' }>): Promise<void> {
    if (message.type === 'request') {
      await this.inspect({ layer: message.layer, sample: message.sample, image: message.image });
    } else if (message.type === 'pickImage') {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Images: ['png', 'jpg', 'jpeg'] }, title: 'An image to pass through the model' });
      if (picked?.[0]) await this.inspect({ layer: this.state.layer, image: picked[0].fsPath });
    }
  }

  private async inspect(choice: { layer: string; sample?: number; image?: string }): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.connection.post({ type: 'error', message: 'Feature maps run the engine, which is turned off in Restricted Mode: trust this workspace to see them.' });
      return;
    }
    const id = ++this.requestCount;
    const source = vscode.Uri.parse(this.state.uri);
    const settings = readSettings(source);
    const baseDir = baseDirFor(source);
    const run = latestTrainedRun(resolveFolder(settings.runsDir, baseDir), this.state.model);
    const request: InspectRequest = {
      file: source.fsPath, model: this.state.model, layer: choice.layer,
      ...(run ? { run } : {}),
      ...(choice.image ? { image: choice.image } : { sample: choice.sample ?? 0 }),
      ...(settings.dataDir ? { dataDir: resolveFolder(settings.dataDir, baseDir) } : {}),
    };
    this.state = { ...this.state, layer: choice.layer, ...(run ? { run } : {}), ...(choice.sample !== undefined ? { sample: choice.sample } : {}) };
    try {
      const result = await this.deps.engine.inspect(request);
      if (id === this.requestCount) this.connection.post({ type: 'inspect', result });
    } catch (error) {
      if (id === this.requestCount) this.connection.post({ type: 'error', message: (error as Error).message });
    }
  }
}

function keyOf(uri: string, model: string): string {
  return `${uri}#${model}`;
}

function titleOf(model: string): string {
  return `Feature maps: ${model}`;
}
