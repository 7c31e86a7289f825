/**
 * The assignment's samples in a real VS Code (code-server + Chromium), with the packaged .vsix:
 * Feature maps on AlexNet's first convolution as shipped, and on its pretrained base with
 * torchvision's weights imported (torchvision's own AlexNet, randomised offline, standing in for
 * the ImageNet download); two samples trained from their Train lenses for a few batches; and the
 * prediction service answering a multipart upload, as the assignment's Flask client and HTML
 * forms send it. Needs the ants/bees data of ../shared/data (CONVLAB_SHARED_DATA elsewhere; skipped
 * without it) and Python with torchvision (outside CI a missing one skips, as the other e2e suite does).
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { findTorchPython } from '../../src/engine/pytorch/python';
import { seedTorchvisionFeatures } from '../fixtures/torchvision-weights';
import { MissingPrerequisite } from './harness/code-server';
import { prerequisites, Session } from './harness/session';
import type { Workbench } from './harness/workbench';

const root = join(__dirname, '..', '..');
const inCI = process.env.CI === 'true' || process.env.CI === '1';
const FILE = 'alexnet-filters.cnn';
const sharedData = process.env.CONVLAB_SHARED_DATA ?? resolve(root, '..', 'shared', 'data');
const hymenoptera = join(sharedData, 'hymenoptera');
const screenshotDir = join(root, 'test-results', 'screenshots');
const log = (line: string) => process.stderr.write(`# e2e samples: ${line}\n`);

/** The lines of the sample's text that hold a word, 1-based. */
const lineOf = (pattern: RegExp) => readFileSync(join(root, 'samples', FILE), 'utf8').split('\n').findIndex((l) => pattern.test(l)) + 1;

describe('The samples in a real VS Code', { timeout: 600_000 }, () => {
  let session: Session | undefined;
  let workbench: Workbench;
  let skipReason: string | undefined;
  const cacheHome = mkdtempSync(join(tmpdir(), 'convlab-e2e-cache-'));
  const savedCacheHome = process.env.XDG_CACHE_HOME;

  before(async () => {
    // The shared data sits beside a checkout, not in it: without it the suite skips, in CI too, as test/cli/samples-train does.
    if (!existsSync(hymenoptera)) {
      skipReason = `${hymenoptera} is absent (set CONVLAB_SHARED_DATA)`;
      log(`skipped: ${skipReason}`);
      return;
    }
    try {
      const python = findTorchPython();
      if (!python.python) throw new MissingPrerequisite(python.reason);
      const pre = prerequisites(root, log);
      seedTorchvisionFeatures(python.python, 'alexnet', cacheHome);
      // code-server passes its environment to the extension host, the language server and the engine.
      process.env.XDG_CACHE_HOME = cacheHome;
      session = await Session.start(root, pre, {
        sample: FILE, screenshotDir,
        workspaceSettings: (dataDir) => {
          symlinkSync(hymenoptera, join(dataDir, 'hymenoptera'));
          // A few batches a run: 16 examples an epoch, and at most 16 to validate and test on.
          return { 'convlab.dataDir': dataDir, 'convlab.trainLimit': 16 };
        },
      });
      workbench = session.workbench;
      copyFileSync(join(root, 'samples', 'lenet5.cnn'), join(session.workspace, 'lenet5.cnn'));
      await workbench.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    } catch (error) {
      if (!(error instanceof MissingPrerequisite) || inCI) throw error;
      skipReason = error.message;
      log(`skipped: ${skipReason}`);
    }
  });

  after(async () => {
    await session?.close();
    if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCacheHome;
    rmSync(cacheHome, { recursive: true, force: true });
  });

  /** From the Explorer, as a person clicks it (Quick Open's file search can lag on a busy machine). */
  const open = async (name: string) => {
    try {
      await workbench.openFile(name);
    } catch {
      await workbench.screenshot(`samples-quick-open-${name}`);
      await workbench.page.keyboard.press('Escape');
      await workbench.runCommand('View: Show Explorer');
      await workbench.page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click({ timeout: 30_000 });
      await workbench.page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
    }
  };

  const skipped = (t: TestContext) => {
    if (skipReason) t.skip(skipReason);
    return skipReason !== undefined;
  };

  /** The model's first convolution in the Feature maps view: the palette command with the cursor on the model's line. */
  const featureMaps = async (modelLine: RegExp, title: RegExp, screenshot: string) => {
    // Opening it again focuses its editor (a click could land on the sticky scroll's header).
    await open(FILE);
    await workbench.goTo(lineOf(modelLine), 1);
    await workbench.runCommand('ConvLab: Show feature maps');
    try {
      const maps = await workbench.webviewWithText(title, 240_000);
      await maps.getByText(/64 filters of 11×11×3/).first().waitFor({ timeout: 60_000 });
      return maps;
    } finally {
      await workbench.screenshot(screenshot);
    }
  };

  test('Feature maps on AlexNet\'s first convolution, no setting changed, shows its 64 filters and their maps', async (t) => {
    if (skipped(t)) return;
    const maps = await featureMaps(/^model AlexNet\(/, /AlexNet · conv1 \(Conv2D\)/, 'samples-01-alexnet-conv1');
    await maps.getByText(/64 maps of 55×55/).first().waitFor({ timeout: 30_000 });
  });

  test('Feature maps on the pretrained base shows the 64 filters imported from torchvision\'s AlexNet', async (t) => {
    if (skipped(t)) return;
    const maps = await featureMaps(/^model AlexNetAntsBees/, /AlexNetAntsBees · features\/conv1 \(Conv2D\)/, 'samples-02-imported-filters');
    await maps.getByText(/weights: pretrained base/).first().waitFor({ timeout: 30_000 });
  });

  test('two samples train from their Train lenses for a few batches without an error', async (t) => {
    if (skipped(t)) return;
    await open(FILE);
    await workbench.goTo(lineOf(/^model AlexNetAntsBees/), 1);
    // The file's second model, with the train section; the lens of AlexNet above it trains AlexNet alone.
    const train = workbench.page.locator(`.monaco-editor[data-uri$="${FILE}"] .codelens-decoration a`, { hasText: /^Train$/ }).last();
    await train.click();
    await workbench.notification(/AlexNetAntsBees trained: test accuracy \d+(\.\d)?%/).waitFor({ timeout: 240_000 });
    await open('lenet5.cnn');
    await workbench.goTo(1, 1);
    await workbench.codeLens('lenet5.cnn', /^Train$/).click();
    await workbench.notification(/LeNet5 trained: test accuracy \d+(\.\d)?%/).waitFor({ timeout: 120_000 });
    await workbench.screenshot('samples-03-trained');
    const errors = await workbench.page.locator('.notifications-toasts .notification-list-item .codicon-error').count();
    assert.equal(errors, 0, 'an error notification showed');
    const runs = readdirSync(join(session!.workspace, 'runs'));
    for (const model of ['AlexNetAntsBees-', 'LeNet5-']) assert.ok(runs.some((r) => r.startsWith(model) && existsSync(join(session!.workspace, 'runs', r, 'summary.json'))), `${model}: ${runs.join(', ')}`);
  });

  test('the prediction service answers a photo uploaded as multipart form data', async (t) => {
    if (skipped(t)) return;
    await workbench.runCommand('ConvLab: Start prediction service');
    const run = workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: /AlexNetAntsBees-/ }).first();
    await run.waitFor({ timeout: 15_000 });
    await run.click();
    const banner = workbench.notification(/serving AlexNetAntsBees at http:\/\/127\.0\.0\.1:\d+/);
    await banner.waitFor({ timeout: 180_000 });
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(await banner.innerText())![1]!;
    await banner.hover();
    await banner.locator('.monaco-button', { hasText: 'Copy token' }).first().click();
    const token = await workbench.waitFor('the token on the clipboard', async () => {
      const text = await workbench.page.evaluate(() => navigator.clipboard.readText());
      return text.length > 10 ? text : undefined;
    }, 15_000);
    const folder = join(hymenoptera, 'val', 'bees');
    const photo = readdirSync(folder).find((f) => /\.jpe?g$/i.test(f))!;
    const form = new FormData();
    form.append('file', new Blob([readFileSync(join(folder, photo))], { type: 'image/jpeg' }), photo);
    const response = await fetch(`${url}/predict`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
    const body = await response.text();
    assert.equal(response.status, 200, body);
    assert.match(body, /"(ants|bees)"/);
    log(`${photo}: ${body.slice(0, 200)}`);
    await workbench.runCommand('ConvLab: Stop prediction service');
  });
});
