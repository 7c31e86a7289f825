/**
 * What every ConvLab panel does on opening, whether new or revived by a serializer: its title and
 * icon, the connection to its view, the view's page, and disposing itself when the user closes it.
 * A panel subclasses ViewPanel and answers the view's messages.
 */
import * as vscode from 'vscode';
import type { z } from 'zod';
import { loadView, panelOptions, ViewConnection, type ViewBundle } from './webview-setup';

export interface ViewPanelSetup<S> {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  bundle: ViewBundle;
  /** The view's name in log lines. */
  name: string;
  /** What the view may send. */
  schema: S;
  title: string;
  /** Handed to the page, which keeps it for a reload. */
  initialState: unknown;
}

type ViewMessage<S extends z.ZodType<{ type: string }>> = Exclude<z.output<S>, { type: 'ready' }>;

export abstract class ViewPanel<ToView, S extends z.ZodType<{ type: string }>> implements vscode.Disposable {
  protected readonly connection: ViewConnection<ToView, S>;
  protected readonly disposables: vscode.Disposable[] = [];

  protected constructor(protected readonly panel: vscode.WebviewPanel, setup: ViewPanelSetup<S>) {
    panel.title = setup.title;
    panel.iconPath = vscode.Uri.joinPath(setup.extensionUri, 'media', 'icons', 'cnn.svg');
    this.connection = new ViewConnection(panel, { name: setup.name, schema: setup.schema, log: setup.log }, {
      onReady: () => void this.onReady(),
      onMessage: (message) => void this.onMessage(message),
    });
    loadView(panel, setup.extensionUri, setup.bundle, setup.initialState);
    this.disposables.push(this.connection, panel.onDidDispose(() => this.dispose()));
  }

  /** The view (re)loaded and has nothing: send it everything. */
  protected abstract onReady(): void | Promise<void>;
  protected abstract onMessage(message: ViewMessage<S>): void | Promise<void>;
  abstract dispose(): void;
}

/** A new panel of `viewType` with ConvLab's webview options; beside the editor, keeping focus, unless told. */
export function createViewPanel(
  viewType: string, title: string, extensionUri: vscode.Uri, placement: { viewColumn: vscode.ViewColumn; preserveFocus: boolean } = { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title, placement, panelOptions(extensionUri));
}
