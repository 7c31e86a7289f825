/**
 * One end-to-end session: a temporary workspace holding the LeNet-5 sample and a small MNIST,
 * a fresh user profile with the packaged extension installed, code-server serving it, and
 * Chromium showing the workbench.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ensureCodeServer, installExtension, MissingPrerequisite, startCodeServer, type RunningCodeServer } from './code-server';
import { writeMnistFixture } from './mnist-fixture';
import { ensureVsix } from './vsix';
import { findChromium, launchBrowser, Workbench } from './workbench';

export interface Prerequisites {
  chromium: string;
  codeServerEntry: string;
  vsix: string;
}

/** What the suite needs, or why it cannot run here (a MissingPrerequisite). */
export function prerequisites(root: string, log: (line: string) => void): Prerequisites {
  const chromium = findChromium();
  if (!chromium) throw new MissingPrerequisite('Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)');
  const codeServerEntry = ensureCodeServer(join(root, '.cache', 'code-server'), log);
  return { chromium, codeServerEntry, vsix: ensureVsix(root, log) };
}

/** Settings a person would give every new profile, so the workbench starts quietly. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.editor.enablePreview': false,
  'window.restoreWindows': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'editor.inlayHints.enabled': 'on',
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  'git.enabled': false,
};

export interface SessionOptions {
  sample: string;
  /** `.vscode/settings.json` of the workspace; `dataDir` is filled in with the fixture's folder. */
  workspaceSettings: (dataDir: string) => Record<string, unknown>;
  /** Keep VS Code's workspace-trust prompt (for Restricted Mode). */
  workspaceTrust?: boolean;
  screenshotDir: string;
}

export class Session {
  private constructor(
    readonly workbench: Workbench,
    readonly workspace: string,
    readonly extensionsDir: string,
    private readonly scratch: string,
    private readonly server: RunningCodeServer,
    private readonly browser: Browser,
  ) {}

  static async start(root: string, pre: Prerequisites, options: SessionOptions): Promise<Session> {
    const scratch = mkdtempSync(join(tmpdir(), 'convlab-e2e-'));
    const workspace = join(scratch, 'workspace');
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    copyFileSync(join(root, 'samples', options.sample), join(workspace, options.sample));
    const dataDir = join(scratch, 'data');
    writeMnistFixture(dataDir, { train: 600, test: 200 });
    writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify(options.workspaceSettings(dataDir), null, 2));
    const dirs = { userDataDir: join(scratch, 'user-data'), extensionsDir: join(scratch, 'extensions'), configDir: join(scratch, 'config') };
    mkdirSync(join(dirs.userDataDir, 'User'), { recursive: true });
    writeFileSync(join(dirs.userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
    installExtension(pre.codeServerEntry, pre.vsix, dirs);
    const server = await startCodeServer(pre.codeServerEntry, dirs, workspace, { workspaceTrust: options.workspaceTrust });
    const browser = await launchBrowser(pre.chromium);
    try {
      const workbench = await Workbench.open(browser, server.url, workspace, options.screenshotDir);
      return new Session(workbench, workspace, dirs.extensionsDir, scratch, server, browser);
    } catch (error) {
      await browser.close();
      await server.stop();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.server.stop();
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
