/**
 * The HTML page of every ConvLab webview, as a pure function so that the extension host (with
 * `asWebviewUri` values) and the browser tests (with http URLs) load the views the same way.
 * No `vscode` import: the caller passes the URIs as strings.
 *
 * Security baseline of microsoft/vscode-extension-samples' webview sample: `default-src 'none'`,
 * scripts only with this page's nonce, styles only from stylesheet files under `cspSource` (no
 * 'unsafe-inline': the views set styles through the CSSOM, which CSP allows), images from
 * `cspSource`, data: and blob: (the PNG export and canvases), fonts from `cspSource`.
 */
export interface WebviewPage {
  /** The page title, shown nowhere but in developer tools. */
  title: string;
  /** The view's bundle, `dist/webview/<view>.js`, as a webview URI. */
  scriptUri: string;
  /** Stylesheets, in order: `media/webview.css` then `media/<view>.css`, as webview URIs. */
  styleUris: string[];
  /** `webview.cspSource`: the origin the URIs above are served from. */
  cspSource: string;
  /** A fresh nonce per page load, from makeNonce(). */
  nonce: string;
  /**
   * What the view starts from when it has no saved state of its own (first open): its
   * ArchitectureState, DashboardState or FeatureMapsState. The view saves it with setState, so a
   * WebviewPanelSerializer gets it back after a reload.
   */
  initialState?: unknown;
}

/**
 * Whether `uri` is served from one of the CSP sources in `cspSource` (space-separated
 * `scheme://host[:port]`, a host may start with `*.`). A path of the extension's own machine
 * (`file:`, `/home/…`) passes no source: with VS Code Remote the page runs on the laptop while
 * the extension's files are on the server, so only `asWebviewUri` values reach them.
 */
export function isServedFrom(uri: string, cspSource: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  return cspSource.split(/\s+/).filter(Boolean).some((source) => {
    const match = /^([a-z][a-z0-9+.-]*):\/\/([^/:]+)(?::(\d+|\*))?\/?$/i.exec(source);
    if (!match) return false;
    const [, scheme, host, port] = match;
    if (url.protocol !== `${scheme!.toLowerCase()}:`) return false;
    const hostMatches = host!.startsWith('*.') ? url.hostname.endsWith(host!.slice(1).toLowerCase()) : url.hostname === host!.toLowerCase();
    return hostMatches && (port === '*' || (url.port || '') === (port ?? ''));
  });
}

export function webviewHtml(page: WebviewPage): string {
  for (const uri of [page.scriptUri, ...page.styleUris]) {
    if (!isServedFrom(uri, page.cspSource)) throw new Error(`webview resource ${uri} is not a webview URI of ${page.cspSource}: make it with webview.asWebviewUri`);
  }
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${page.nonce}'`,
    `style-src ${page.cspSource}`,
    `img-src ${page.cspSource} data: blob:`,
    `font-src ${page.cspSource}`,
  ].join('; ');
  const styles = page.styleUris.map((uri) => `  <link rel="stylesheet" href="${escapeHtml(uri)}">`);
  const state = page.initialState === undefined ? '' : ` data-initial-state="${escapeHtml(JSON.stringify(page.initialState))}"`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '  <meta charset="UTF-8">',
    `  <meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '  <meta name="viewport" content="width=device-width, initial-scale=1.0">',
    ...styles,
    `  <title>${escapeHtml(page.title)}</title>`,
    '</head>',
    `<body${state}>`,
    `  <script nonce="${escapeHtml(page.nonce)}" src="${escapeHtml(page.scriptUri)}"></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** 32 characters of base64url from 24 random bytes: a valid CSP nonce, new for each page load. */
export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let nonce = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    nonce += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  return nonce;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
