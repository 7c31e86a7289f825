/**
 * Renders a view's built bundle in headless Chromium the way VS Code loads it: the page comes
 * from webviewHtml() with its CSP and nonce, served over http from 127.0.0.1 (a secure context),
 * with a small stand-in for acquireVsCodeApi (vscode-api-shim.js) loaded before the bundle.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeNonce, webviewHtml } from '../../../src/extension/webview-html';

export const repoRoot = join(__dirname, '..', '..', '..');
export const screenshotDir = join(repoRoot, 'test-results', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Only these folders are served: what a webview's localResourceRoots would allow, and the harness. */
const SERVED = ['dist/webview/', 'media/', 'test/webview/harness/'];
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

export type ViewName = 'architecture' | 'dashboard' | 'featuremaps' | 'evaluation' | 'gradcam' | 'explain' | 'gradientflow';
export type Theme = 'dark' | 'light';

/** Whether the browser tests can run here; skips the test (or fails it under CI=true) when not. */
export function browserAvailable(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') assert.fail(`${CHROMIUM} is missing: CI must install Debian's chromium for the webview tests`);
  t.skip(`${CHROMIUM} not found: apt-get install chromium to run the webview tests`);
  return false;
}

/** One browser and one static server for a test file; close() in an `after` hook. */
export class Harness {
  private browser: Browser | undefined;
  private server: Server | undefined;
  private origin = '';

  async open(view: ViewName, options: { theme?: Theme; initialState?: unknown; viewport?: { width: number; height: number } } = {}): Promise<ViewPage> {
    const bundle = join(repoRoot, 'dist', 'webview', `${view}.js`);
    assert.ok(existsSync(bundle), `${bundle} is missing: run npm run build first (npm test does)`);
    await this.start();
    const context = await this.browser!.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const query = new URLSearchParams({ theme: options.theme ?? 'dark' });
    if (options.initialState !== undefined) query.set('state', JSON.stringify(options.initialState));
    await page.goto(`${this.origin}/view/${view}?${query}`);
    return new ViewPage(page, problems);
  }

  async close(): Promise<void> {
    await this.browser?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async start(): Promise<void> {
    if (this.browser) return;
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', this.origin);
      if (url.pathname === '/favicon.ico') {
        // VS Code's webview frame asks for none; the bare page would.
        response.writeHead(204).end();
        return;
      }
      const view = /^\/view\/(\w+)$/.exec(url.pathname)?.[1];
      if (view) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(this.pageHtml(view, url.searchParams));
        return;
      }
      const path = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
      const file = join(repoRoot, path);
      if (!SERVED.some((prefix) => path.startsWith(prefix)) || !existsSync(file)) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(readFileSync(file));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }

  /** The page the extension would make, plus what VS Code itself adds: theme variables and classes. */
  private pageHtml(view: string, query: URLSearchParams): string {
    const nonce = makeNonce();
    const theme = query.get('theme') === 'light' ? 'light' : 'dark';
    const state = query.get('state');
    const html = webviewHtml({
      title: view,
      scriptUri: `${this.origin}/dist/webview/${view}.js`,
      styleUris: [`${this.origin}/media/webview.css`, `${this.origin}/media/${view}.css`],
      cspSource: this.origin,
      nonce,
      initialState: state === null ? undefined : JSON.parse(state),
    });
    return html
      .replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${this.origin}/test/webview/harness/theme-${theme}.css">\n  <link rel="stylesheet"`)
      .replace('<body', `<body class="vscode-${theme}" data-vscode-theme-kind="vscode-${theme}"`)
      .replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}" src="${this.origin}/test/webview/harness/vscode-api-shim.js"></script>\n  <script nonce="${nonce}"`);
  }
}

interface ShimWindow {
  __convlab: { posted: { type: string }[]; problems: string[]; deliver(message: unknown): void };
}

/** A loaded view: deliver host messages, read what it posted, collect CSP and console problems. */
export class ViewPage {
  constructor(readonly page: Page, private readonly consoleProblems: string[]) {}

  async deliver(message: unknown): Promise<void> {
    await this.page.evaluate((m) => (window as unknown as ShimWindow).__convlab.deliver(m), message);
  }

  /** Waits until the view has drawn `count` times (it counts in body[data-renders]). */
  async renders(count: number): Promise<void> {
    await this.page.waitForFunction((n) => document.body.dataset.renders === String(n), count);
  }

  async posted<T = { type: string }>(): Promise<T[]> {
    return (await this.page.evaluate(() => (window as unknown as ShimWindow).__convlab.posted)) as T[];
  }

  /** CSP violations, console errors and warnings, uncaught exceptions: all should be none. */
  async problems(): Promise<string[]> {
    const inPage = await this.page.evaluate(() => (window as unknown as ShimWindow).__convlab.problems);
    return [...inPage, ...this.consoleProblems];
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: join(screenshotDir, name) });
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}
