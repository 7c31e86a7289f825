/**
 * The architecture diagram of one model, beside its source: the graph from the server's
 * `convlab/modelGraph`, re-sent as the document changes, the node under the cursor highlighted,
 * a clicked node revealed in the source, and the drawing exported through a save dialog.
 */
import * as vscode from 'vscode';
import type { GraphJson } from '../../protocol/graph';
import type { SampleInput } from '../../protocol/sample-input';
import type { JsonRange } from '../../protocol/summary';
import { ArchitectureFromViewSchema, type ArchitectureFromView, type ArchitectureState, type ArchitectureToView } from '../../protocol/webview';
import type { ModelService } from '../lsp/client';
import { baseDirFor, readSettings } from '../config';
import { resolveFolder } from '../jobs/engine-command';
import type { ServeEngineClient } from '../jobs/serve-engine-client';
import { nodesAtPosition } from './graph-highlight';
import { createViewPanel, ViewPanel } from './view-panel';
import { panelSerializer } from './webview-setup';

export const ARCHITECTURE_VIEW_TYPE = 'convlab.architecture';

/** Typing pauses this long before the diagram is asked for again. */
const REFRESH_DELAY_MS = 300;

export interface ArchitectureDeps {
  extensionUri: vscode.Uri;
  models: ModelService;
  /** Reads a sample input of the model's dataset for the receptive-field inset. */
  engine: ServeEngineClient;
  log: vscode.LogOutputChannel;
}

export class ArchitecturePanel extends ViewPanel<ArchitectureToView, typeof ArchitectureFromViewSchema> {
  private static readonly open = new Map<string, ArchitecturePanel>();

  private refreshTimer: NodeJS.Timeout | undefined;
  /** The last graph's nodes, for highlighting without another request. */
  private graph: GraphJson | undefined;
  /** Answers to older document versions are dropped when a newer one was already drawn. */
  private drawnVersion = -1;
  /** The model and input size the sample input was last asked for: asked again only when either changes. */
  private sampleAskedFor: string | undefined;

  static show(deps: ArchitectureDeps, document: vscode.TextDocument, model: string): void {
    const key = keyOf(document.uri.toString(), model);
    const existing = ArchitecturePanel.open.get(key);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    new ArchitecturePanel(createViewPanel(ARCHITECTURE_VIEW_TYPE, titleOf(model), deps.extensionUri), deps, { uri: document.uri.toString(), model });
  }

  static serializer(deps: ArchitectureDeps): vscode.WebviewPanelSerializer<ArchitectureState> {
    return panelSerializer<ArchitectureState>('architecture', deps.log, (state) => !!state?.uri && !!state.model, (panel, state) => new ArchitecturePanel(panel, deps, state));
  }

  private constructor(panel: vscode.WebviewPanel, private readonly deps: ArchitectureDeps, private state: ArchitectureState) {
    super(panel, { extensionUri: deps.extensionUri, log: deps.log, bundle: 'architecture', name: 'architecture', schema: ArchitectureFromViewSchema, title: titleOf(state.model), initialState: state });
    ArchitecturePanel.open.set(keyOf(state.uri, state.model), this);
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document.uri.toString() === this.state.uri) this.scheduleRefresh();
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (event.textEditor.document.uri.toString() === this.state.uri) this.highlight(event.selections[0]?.active);
      }),
    );
  }

  dispose(): void {
    ArchitecturePanel.open.delete(keyOf(this.state.uri, this.state.model));
    clearTimeout(this.refreshTimer);
    this.disposables.forEach((d) => d.dispose());
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), REFRESH_DELAY_MS);
  }

  private async refresh(): Promise<void> {
    const uri = vscode.Uri.parse(this.state.uri);
    try {
      const result = await this.deps.models.modelGraph(uri);
      if (result.version < this.drawnVersion) return;
      let graph = result.graphs.find((g) => g.model === this.state.model);
      // A renamed model in a one-model file is still the model this diagram shows.
      if (!graph && result.graphs.length === 1) graph = this.follow(result.graphs[0]!.model) ? result.graphs[0] : undefined;
      if (!graph) return;
      this.drawnVersion = result.version;
      this.graph = graph;
      this.connection.post({ type: 'graph', graph, hasErrors: result.hasErrors, fileName: vscode.workspace.asRelativePath(uri) });
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.state.uri);
      this.highlight(editor?.selection.active);
      this.askSampleInput(uri, graph);
    } catch (error) {
      this.deps.log.error(`architecture of ${this.state.model}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Once the diagram is on its way: an example of the model's dataset for the inset, read by the
   * engine (the host never loads TensorFlow or datasets) and never downloaded.
   */
  private askSampleInput(uri: vscode.Uri, graph: GraphJson): void {
    const input = graph.nodes.find((n) => n.op === 'input')?.outputShape;
    const key = `${graph.model}:${input?.join('x') ?? ''}`;
    if (key === this.sampleAskedFor || !input || input.length !== 3) return;
    this.sampleAskedFor = key;
    const model = graph.model;
    const post = (sample: SampleInput) => this.connection.post({ type: 'sampleInput', model, sample });
    if (uri.scheme !== 'file') {
      post({ available: false, reason: 'the model file is not on this machine\'s disk, where the engine reads datasets' });
      return;
    }
    const settings = readSettings(uri);
    const dataDir = settings.dataDir ? resolveFolder(settings.dataDir, baseDirFor(uri)) : undefined;
    this.deps.engine.sampleInput({ file: uri.fsPath, model, ...(dataDir ? { dataDir } : {}) }).then(post, (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.log.warn(`sample input of ${model}: ${message}`);
      // Asked again with the next change: the engine may have been restarting.
      this.sampleAskedFor = undefined;
      post({ available: false, reason: `the engine could not read one (${message.split('\n')[0]})` });
    });
  }

  private follow(model: string): boolean {
    if (ArchitecturePanel.open.has(keyOf(this.state.uri, model))) return false;
    ArchitecturePanel.open.delete(keyOf(this.state.uri, this.state.model));
    this.state = { ...this.state, model };
    ArchitecturePanel.open.set(keyOf(this.state.uri, model), this);
    this.panel.title = titleOf(model);
    return true;
  }

  private highlight(position: vscode.Position | undefined): void {
    if (!this.graph || !position) return;
    this.connection.post({ type: 'highlight', nodeIds: nodesAtPosition(this.graph, { line: position.line, character: position.character }) });
  }

  protected onReady(): Promise<void> {
    return this.refresh();
  }

  protected async onMessage(message: Exclude<ArchitectureFromView, { type: 'ready' }>): Promise<void> {
    if (message.type === 'reveal') await this.reveal(message.range);
    else if (message.type === 'export') await this.export(message.format, message.data);
  }

  /** Shows the statement in the source editor, not over the diagram. */
  private async reveal(range: JsonRange): Promise<void> {
    const uri = vscode.Uri.parse(this.state.uri);
    const document = await vscode.workspace.openTextDocument(uri);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.state.uri);
    const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.Beside, selection, preserveFocus: false });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async export(format: 'svg' | 'png', data: string): Promise<void> {
    const source = vscode.Uri.parse(this.state.uri);
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(source, '..', `${this.state.model}.${format}`),
      filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      title: `Export the ${this.state.model} diagram`,
    });
    if (!target) return;
    const bytes = format === 'svg' ? new TextEncoder().encode(data) : Buffer.from(data.slice(data.indexOf(',') + 1), 'base64');
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`ConvLab: saved ${vscode.workspace.asRelativePath(target)}`);
  }
}

function keyOf(uri: string, model: string): string {
  return `${uri}#${model}`;
}

function titleOf(model: string): string {
  return `Architecture: ${model}`;
}
