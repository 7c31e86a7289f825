/**
 * "Explain an image" in a real VS Code (code-server + Chromium): the lens above LeNet-5 opens the
 * view through the packaged extension and its serve-engine; the image's columns appear, and a
 * click on a C3 value shows the sum behind it. Outside CI a missing browser or code-server skips
 * the suite with the reason; with CI=true it fails.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MissingPrerequisite } from './harness/code-server';
import { prerequisites, Session } from './harness/session';

const root = join(__dirname, '..', '..');
const inCI = process.env.CI === 'true' || process.env.CI === '1';
const FILE = 'lenet5.cnn';
const screenshotDir = join(root, 'test-results', 'screenshots');
const log = (line: string) => process.stderr.write(`# e2e explain: ${line}\n`);

describe('Explain an image in a real VS Code', { timeout: 180_000 }, () => {
  let session: Session | undefined;
  let skipReason: string | undefined;

  before(async () => {
    try {
      const pre = prerequisites(root, log);
      session = await Session.start(root, pre, { sample: FILE, workspaceSettings: (dataDir) => ({ 'convlab.dataDir': dataDir }), screenshotDir });
    } catch (error) {
      if (!(error instanceof MissingPrerequisite) || inCI) throw error;
      skipReason = error.message;
      log(`skipped: ${skipReason}`);
    }
  });

  after(async () => {
    await session?.close();
  });

  test('the lens opens the view; a click on a C3 value shows its window, receptive field and sum', async (t) => {
    if (skipReason) {
      t.skip(skipReason);
      return;
    }
    const { workbench } = session!;
    // From the explorer, which lists the workspace at once (Quick Open waits for its file search, slow on a busy machine).
    await workbench.page.locator('.explorer-folders-view .monaco-list-row', { hasText: FILE }).first().click({ timeout: 60_000 });
    await workbench.page.locator('.tab.active', { hasText: FILE }).waitFor({ timeout: 30_000 });
    await workbench.focusEditor(FILE);
    await workbench.codeLens(FILE, /^Explain an image$/).click();
    const view = await workbench.webviewWithText(/Explain an image · LeNet5/, 90_000);
    await view.locator('.flow-column[data-layer="prediction"] .class-row').first().waitFor({ timeout: 30_000 });
    assert.equal(await view.locator('.flow-column').count(), 10, 'input, 8 layers, prediction');
    assert.match((await view.locator('.toolbar .file-name').textContent())!, /mnist test example 0 · 28×28×1 · weights: untrained \(seed 42\)/);

    // C3's channel 1 map, the value at row 4, column 6.
    const map = view.locator('.flow-column[data-layer="C3"] canvas').nth(1);
    const box = (await map.boundingBox())!;
    await map.click({ position: { x: (6.5 / 10) * box.width, y: (4.5 / 10) * box.height } });
    const title = view.locator('.unit-title');
    await title.waitFor({ timeout: 30_000 });
    assert.match((await title.textContent())!, /^C3 \(Conv2D\) · row 4, column 6, channel 1 = /);
    assert.equal(await view.locator('.channel-grid').count(), 6);
    assert.deepEqual(await view.locator('.unit-detail .field-box').evaluate((b) => ({ ...(b as HTMLElement).dataset })), { top: '6', left: '10', bottom: '19', right: '23' });
    assert.match((await view.locator('.activation-line').textContent())!, /^relu: max\(0, -?[\d.e-]+\) = [\d.e-]+$/);
    await view.locator('.unit-detail').scrollIntoViewIfNeeded();
    await workbench.screenshot('explain-e2e');
  });
});
