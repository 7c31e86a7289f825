/**
 * What every ConvLab panel shares: webview options (scripts on, resources only from the view
 * bundles and media), the page from webviewHtml, and a connection that waits for the view's
 * `ready` before sending, because a view that reloads (hidden and shown again, or after a window
 * reload) has lost everything and asks again.
 */
import * as vscode from 'vscode';
import type { z } from 'zod';
import { makeNonce, webviewHtml } from '../webview-html';
import { readViewMessage } from './view-messages';

/** The bundle names in dist/webview/ (src/webview/<name>.main.ts). */
export type ViewBundle = 'architecture' | 'dashboard' | 'featuremaps' | 'evaluation' | 'gradcam' | 'explain' | 'gradientflow';

export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { ...webviewOptions(extensionUri), enableFindWidget: false };
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** Loads the view's page into a panel (a new one, or one revived by a serializer). */
export function loadView(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, bundle: ViewBundle, initialState: unknown): void {
  const webview = panel.webview;
  webview.options = webviewOptions(extensionUri);
  const asUri = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  webview.html = webviewHtml({
    title: panel.title,
    scriptUri: asUri('dist', 'webview', `${bundle}.js`),
    styleUris: [asUri('media', 'webview.css'), asUri('media', `${bundle}.css`)],
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    initialState,
  });
}

/**
 * Revives a panel after a window reload from the state its view saved, or closes it when that
 * state lacks what the panel needs (a view closed before it saved anything).
 */
export function panelSerializer<State>(
  view: string, log: vscode.LogOutputChannel, isComplete: (state: Partial<State> | undefined) => boolean, restore: (panel: vscode.WebviewPanel, state: State) => void,
): vscode.WebviewPanelSerializer<State> {
  return {
    async deserializeWebviewPanel(panel, state: State | undefined) {
      if (!isComplete(state)) {
        log.warn(`${view} view restored without its state; closing it`);
        panel.dispose();
        return;
      }
      restore(panel, state as State);
    },
  };
}

export interface ViewHandlers<FromView> {
  onReady: () => void;
  onMessage: (message: Exclude<FromView, { type: 'ready' }>) => void;
}

/**
 * Typed posting that starts once the view said it is ready; `onReady` sends the whole state
 * again. What the view sends is checked against `schema`; a message that fails is logged with
 * what was wrong and dropped, and the panel goes on.
 */
export class ViewConnection<ToView, S extends z.ZodType<{ type: string }>> implements vscode.Disposable {
  private ready = false;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    view: { name: string; schema: S; log: vscode.LogOutputChannel },
    handlers: ViewHandlers<z.output<S>>,
  ) {
    this.subscription = panel.webview.onDidReceiveMessage((raw: unknown) => {
      const read = readViewMessage(view.name, view.schema, raw);
      if (read.kind === 'invalid') {
        view.log.error(read.error);
      } else if (read.kind === 'ready') {
        this.ready = true;
        handlers.onReady();
      } else {
        handlers.onMessage(read.message);
      }
    });
  }

  /** Dropped before the view is ready: its onReady sends the state that includes it. */
  post(message: ToView): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
