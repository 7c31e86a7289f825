import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isServedFrom, makeNonce, webviewHtml } from '../../src/extension/webview-html';

const page = {
  title: 'LeNet5 <architecture>',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/architecture.js',
  styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.css', 'https://file+.vscode-resource.vscode-cdn.net/ext/media/architecture.css'],
  cspSource: 'https://*.vscode-cdn.net',
  nonce: 'abcDEF123-_',
};

function csp(html: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match, 'a CSP meta tag');
  return match[1]!.replace(/&#39;/g, "'");
}

test('the CSP allows only the nonce for scripts and cspSource for styles, images and fonts', () => {
  const policy = csp(webviewHtml(page));
  assert.equal(policy, "default-src 'none'; script-src 'nonce-abcDEF123-_'; style-src https://*.vscode-cdn.net; img-src https://*.vscode-cdn.net data: blob:; font-src https://*.vscode-cdn.net");
  assert.ok(!policy.includes('unsafe-'), 'no unsafe-inline, no unsafe-eval');
});

test('one nonce-bearing script, the stylesheets in order, the title escaped', () => {
  const html = webviewHtml(page);
  assert.deepEqual([...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]), [`<script nonce="${page.nonce}" src="${page.scriptUri}">`]);
  assert.deepEqual([...html.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]), page.styleUris);
  assert.ok(html.includes('<title>LeNet5 &#60;architecture&#62;</title>'));
  assert.ok(html.includes('<body>'));
});

test('an initial state travels as escaped JSON in a data attribute', () => {
  const state = { uri: 'file:///a "quoted" <path>.cnn', model: 'LeNet5' };
  const html = webviewHtml({ ...page, initialState: state });
  const attribute = /<body data-initial-state="([^"]*)">/.exec(html)![1]!;
  const decoded = attribute.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  assert.deepEqual(JSON.parse(decoded), state);
});

test('nonces are 32 base64url characters and differ each time', () => {
  const nonces = new Set(Array.from({ length: 100 }, makeNonce));
  assert.equal(nonces.size, 100);
  for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9_-]{32}$/);
});

test('a resource that is not a webview URI of cspSource (a local path, file:, another host) is refused', () => {
  for (const bad of ['/home/me/.vscode/extensions/convlab/media/webview.css', 'file:///ext/media/webview.css', 'vscode-resource:/ext/media/webview.css', 'https://example.com/webview.css', 'media/webview.css']) {
    assert.throws(() => webviewHtml({ ...page, styleUris: [bad] }), /is not a webview URI of .*asWebviewUri/, bad);
  }
  assert.throws(() => webviewHtml({ ...page, scriptUri: 'file:///ext/dist/webview/architecture.js' }), /asWebviewUri/);
});

test('webview URIs as desktop VS Code, code-server and the browser tests make them are served from their cspSource', () => {
  assert.ok(isServedFrom('https://file+.vscode-resource.vscode-cdn.net/ext/media/a.css', 'https://*.vscode-cdn.net'));
  assert.ok(isServedFrom('http://127.0.0.1:4123/media/a.css', 'http://127.0.0.1:4123'));
  assert.ok(isServedFrom('https://server:8443/stable/vscode-remote-resource?path=/x', "'self' https://server:8443"));
  assert.ok(!isServedFrom('http://127.0.0.1:4124/media/a.css', 'http://127.0.0.1:4123'));
  assert.ok(!isServedFrom('https://evil-vscode-cdn.net/a.css', 'https://*.vscode-cdn.net'));
});
