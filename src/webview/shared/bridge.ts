/**
 * The typed message bridge between a view and the extension host, over VS Code's webview API.
 * Host → view messages are narrowed by their `type` before a handler sees them (GitLens' pattern);
 * view → host messages are typed by the view's protocol (src/protocol/webview.ts).
 */

/** The part of VS Code's webview API the views use. acquireVsCodeApi may be called once a page. */
interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): State;
}

declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

export interface Bridge<ToView, FromView, State> {
  post(message: FromView): void;
  /**
   * What the view starts from: the state it saved before a reload, else the initial state the
   * host wrote into the page (`data-initial-state`, see src/extension/webview-html.ts).
   */
  readonly startState: State | undefined;
  saveState(state: State): void;
  /** Starts delivering host messages, then tells the host the view is ready for them. */
  listen(handler: (message: ToView) => void): void;
}

export function connectBridge<ToView extends { type: string }, FromView extends { type: string }, State>(
  messageTypes: readonly ToView['type'][],
): Bridge<ToView, FromView | { type: 'ready' }, State> {
  const api = acquireVsCodeApi<State>();
  const known = new Set<string>(messageTypes);
  const isMessage = (value: unknown): value is ToView =>
    typeof value === 'object' && value !== null && known.has((value as { type?: unknown }).type as string);
  return {
    post: (message) => api.postMessage(message),
    startState: api.getState() ?? pageState<State>(),
    saveState: (state) => void api.setState(state),
    listen(handler) {
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        if (isMessage(event.data)) handler(event.data);
      });
      api.postMessage({ type: 'ready' });
    },
  };
}

function pageState<State>(): State | undefined {
  const text = document.body.dataset.initialState;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as State;
  } catch {
    return undefined;
  }
}
