/**
 * Show summary: a read-only text document beside the source with the Keras/torchinfo-style table,
 * kept current as the source changes. Its URI names the source and the model:
 * `convlab-summary:/LeNet5 summary?file:///…/lenet5.cnn`.
 */
import * as vscode from 'vscode';
import type { ModelService } from '../lsp/client';
import { summaryText } from './summary-table';

export const SUMMARY_SCHEME = 'convlab-summary';

const REFRESH_DELAY_MS = 300;
const SUFFIX = ' summary';

export class SummaryDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly models: ModelService) {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, this),
      vscode.workspace.onDidChangeTextDocument((event) => this.sourceChanged(event.document.uri)),
    ];
  }

  async show(source: vscode.Uri, model: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: SUMMARY_SCHEME, path: `/${model}${SUFFIX}`, query: source.toString() });
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: true });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const source = vscode.Uri.parse(uri.query);
    const model = uri.path.slice(1, -SUFFIX.length);
    try {
      return summaryText(await this.models.summary(source), model, vscode.workspace.asRelativePath(source));
    } catch (error) {
      return `The summary of ${model} is not available: ${(error as Error).message}\n`;
    }
  }

  dispose(): void {
    this.timers.forEach((timer) => clearTimeout(timer));
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }

  private sourceChanged(source: vscode.Uri): void {
    const open = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === SUMMARY_SCHEME && d.uri.query === source.toString());
    for (const document of open) {
      const key = document.uri.toString();
      clearTimeout(this.timers.get(key));
      this.timers.set(key, setTimeout(() => this.changed.fire(document.uri), REFRESH_DELAY_MS));
    }
  }
}
