/**
 * The language client: the server (dist/server.js, src/server) runs in its own Node process over
 * IPC and owns every language feature, code lenses included; this side only starts it and
 * forwards the `convlab` settings.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { CONFIG_SECTION } from '../config';
import { ModelAtRequest, ModelGraphRequest, PytorchRequest, SummaryRequest, WORKSPACE_TRUSTED_NOTIFICATION, type ModelAtResult, type ModelGraphResult, type PytorchResult, type ServerInitializationOptions, type SummaryResult } from '../../protocol/lsp';

export const CNN_LANGUAGE = 'cnn';

export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: CNN_LANGUAGE }],
    synchronize: { configurationSection: CONFIG_SECTION },
    outputChannel: log,
    // Restricted Mode: the server fetches no pretrained URL until the workspace is trusted.
    initializationOptions: (): ServerInitializationOptions => ({ workspaceTrusted: vscode.workspace.isTrusted }),
  };
  const client = new LanguageClient('convlab', 'ConvLab language server', serverOptions, clientOptions);
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => {
    if (client.isRunning()) void client.sendNotification(WORKSPACE_TRUSTED_NOTIFICATION);
  }));
  return client;
}

/** The custom requests, typed, over a started client. */
export class ModelService {
  constructor(private readonly client: LanguageClient) {}

  async summary(uri: vscode.Uri): Promise<SummaryResult> {
    await this.ready();
    return this.client.sendRequest(SummaryRequest, { uri: uri.toString() });
  }

  async modelGraph(uri: vscode.Uri): Promise<ModelGraphResult> {
    await this.ready();
    return this.client.sendRequest(ModelGraphRequest, { uri: uri.toString() });
  }

  async modelAt(uri: vscode.Uri, position: vscode.Position): Promise<ModelAtResult> {
    await this.ready();
    return this.client.sendRequest(ModelAtRequest, { uri: uri.toString(), position: { line: position.line, character: position.character } });
  }

  async pytorch(uri: vscode.Uri, model: string): Promise<PytorchResult> {
    await this.ready();
    return this.client.sendRequest(PytorchRequest, { uri: uri.toString(), model });
  }

  private async ready(): Promise<void> {
    if (!this.client.isRunning()) await this.client.start();
  }
}
