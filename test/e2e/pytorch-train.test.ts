/**
 * The pytorch engine in a real VS Code (code-server + Chromium, the split VS Code Remote makes:
 * the extension, its engine and Python on the server side, the dashboard in the browser): with
 * `convlab.engine` set to pytorch and no `convlab.pythonPath`, the Train lens finds the Python
 * with torch (python3 on PATH may be a shim without it), trains LeNet-5 on 256 digits an epoch
 * (`convlab.trainLimit`, as the main suite caps its runs) and the dashboard shows the run the
 * runtime's events describe. Outside CI a missing browser or code-server skips it with the reason.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { findTorchPython } from '../../src/engine/pytorch/python';
import { MissingPrerequisite } from './harness/code-server';
import { prerequisites, Session } from './harness/session';
import type { Workbench } from './harness/workbench';

const root = join(__dirname, '..', '..');
const inCI = process.env.CI === 'true' || process.env.CI === '1';
const FILE = 'lenet5.cnn';
const screenshotDir = join(root, 'test-results', 'screenshots');
const log = (line: string) => process.stderr.write(`# e2e pytorch: ${line}\n`);

describe('the pytorch engine in a real VS Code', { timeout: 240_000 }, () => {
  let session: Session | undefined;
  let workbench: Workbench;
  let workspace: string;
  let skipReason: string | undefined;

  before(async () => {
    const torch = findTorchPython();
    if (!torch.python) {
      if (inCI) throw new Error(torch.reason);
      skipReason = torch.reason;
      return;
    }
    try {
      const pre = prerequisites(root, log);
      session = await Session.start(root, pre, {
        sample: FILE, screenshotDir,
        workspaceSettings: (dataDir) => ({ 'convlab.dataDir': dataDir, 'convlab.trainLimit': 256, 'convlab.engine': 'pytorch' }),
      });
      ({ workbench, workspace } = session);
    } catch (error) {
      if (!(error instanceof MissingPrerequisite) || inCI) throw error;
      skipReason = error.message;
    }
    if (skipReason) log(`skipped: ${skipReason}`);
  });

  after(async () => {
    await session?.close();
  });

  const skipped = (t: TestContext) => {
    if (skipReason) t.skip(skipReason);
    return skipReason !== undefined;
  };

  test('Train with convlab.engine pytorch: the runtime trains LeNet-5 and its events drive the dashboard', async (t) => {
    if (skipped(t)) return;
    // Quick Open finds the file once the workspace is indexed, which a busy machine delays.
    for (let attempt = 1; ; attempt++) {
      try {
        await workbench.openFile(FILE);
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        await workbench.page.keyboard.press('Escape');
      }
    }
    await workbench.focusEditor(FILE);
    const lens = workbench.codeLens(FILE, /^Train$/);
    await lens.waitFor({ timeout: 30_000 });
    await lens.click();
    const done = workbench.notification(/LeNet5 trained: test accuracy \d+(\.\d)?%/);
    await done.waitFor({ timeout: 150_000 });
    const message = await done.innerText();
    const accuracy = Number(/test accuracy (\d+(?:\.\d)?)%/.exec(message)![1]);
    // 20 Adam steps on 256 digits: the tfjs engine reaches 57-75% on this fixture (extension.test.ts).
    assert.ok(accuracy >= 40, `LeNet-5 after 20 steps on the pytorch engine: ${message}`);
    // The dashboard was opened by the run's start event and filled by its epochs and done event.
    const dashboard = await workbench.webviewWithText(/Test accuracy/i, 30_000);
    await dashboard.getByText(`${accuracy.toFixed(2)}%`).first().waitFor({ timeout: 15_000 });
    await dashboard.locator('[title*="engine pytorch"]').first().waitFor({ timeout: 15_000 });
    await workbench.screenshot('pytorch-01-trained');
    const runs = readdirSync(join(workspace, 'runs')).filter((name) => name.startsWith('LeNet5-'));
    assert.equal(runs.length, 1);
    const summary = JSON.parse(readFileSync(join(workspace, 'runs', runs[0]!, 'summary.json'), 'utf8')) as { engine?: string; epochsRun: number };
    assert.equal(summary.engine, 'pytorch');
    assert.equal(summary.epochsRun, 5);
    assert.ok(existsSync(join(workspace, 'runs', runs[0]!, 'best', 'state_dict.safetensors')), 'the runtime wrote its state_dict beside ConvLab\'s checkpoint');
    log(`trained: ${/LeNet5 trained: [^\n]*/.exec(message)![0]}`);
  });
});
