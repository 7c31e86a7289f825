/**
 * Driving the VS Code workbench in Chromium the way a person does: the command palette, Quick
 * Open, Go to Line, code lenses, hovers, the Problems view and notifications. Selectors are the
 * workbench's own class names (stable across 1.9x releases).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return existsSync(configured) ? configured : undefined;
  return CHROMIUM_CANDIDATES.find((path) => existsSync(path));
}

export async function launchBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export class Workbench {
  constructor(readonly page: Page, private readonly screenshotDir: string) {
    mkdirSync(screenshotDir, { recursive: true });
  }

  static async open(browser: Browser, url: string, folder: string, screenshotDir: string): Promise<Workbench> {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.statusbar').waitFor({ timeout: 60_000 });
    return new Workbench(page, screenshotDir);
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: join(this.screenshotDir, `${name}.png`) });
  }

  /** Runs a palette command by its title; contributed commands appear a moment after the workbench, so it retries. */
  async runCommand(title: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.page.keyboard.press('F1');
      const input = this.page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(`>${title}`);
      const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      try {
        await row.waitFor({ timeout: 2000 });
        await this.page.keyboard.press('Enter');
        return;
      } catch {
        await this.page.keyboard.press('Escape');
        if (Date.now() > deadline) throw new Error(`no command "${title}" in the palette`);
      }
    }
  }

  /** Quick Open (Ctrl+P) by file name; resolves once its editor tab is active. */
  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(name);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 20_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tab.active', { hasText: name }).waitFor();
  }

  /** Brings the file's tab to the front and puts the keyboard focus in its text. */
  async focusEditor(name: string): Promise<void> {
    const tab = this.page.locator('.tab', { hasText: name }).first();
    await tab.click();
    await this.page.locator(`.monaco-editor[data-uri$="${name}"] .view-lines`).first().click({ position: { x: 5, y: 5 } });
  }

  /** Ctrl+G: the cursor to a 1-based line and column. */
  async goTo(line: number, column: number): Promise<void> {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    // Go to Line is Quick Open in its `:` mode; filling the box replaces that prefix.
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
  }

  /** The text of the file's visible lines, inlay hints included (they render inside the line). */
  async editorText(name: string): Promise<string> {
    return (await this.page.locator(`.monaco-editor[data-uri$="${name}"] .view-lines`).first().innerText()).replace(/\u00a0/g, ' ');
  }

  /** Code lens links above the lines of a file, by their text. */
  codeLens(name: string, text: RegExp): Locator {
    return this.page.locator(`.monaco-editor[data-uri$="${name}"] .codelens-decoration a`, { hasText: text }).first();
  }

  /** A toast or, once it has timed out, the notification centre's entry. */
  notification(text: RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item', { hasText: text }).first();
  }

  /**
   * The content frame of the webview that shows `text`. Webview iframes carry no title, so each
   * is searched; the content sits in a nested `#active-frame`.
   */
  async webviewWithText(text: string | RegExp, timeoutMs: number): Promise<FrameLocator> {
    return this.waitFor(`a webview showing ${text}`, async () => {
      const count = await this.page.locator('iframe.webview').count();
      for (let i = 0; i < count; i++) {
        const frame = this.page.frameLocator('iframe.webview').nth(i).frameLocator('#active-frame');
        if (await frame.getByText(text).first().isVisible().catch(() => false)) return frame;
      }
      return undefined;
    }, timeoutMs);
  }

  async waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (error) {
        last = error;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
      await this.page.waitForTimeout(250);
    }
  }
}
