/**
 * The "CNNs from LeNet-5 to ResNet" walkthrough in a real VS Code (code-server + Chromium), with
 * the packaged extension: every step, clicked as a student clicks it, shows its text and opens
 * its sample at its line with its view beside it. Outside CI a missing browser or code-server
 * skips the suite with the reason; with CI=true it fails.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MissingPrerequisite } from './harness/code-server';
import { prerequisites, Session } from './harness/session';

const root = join(__dirname, '..', '..');
const inCI = process.env.CI === 'true' || process.env.CI === '1';
const screenshotDir = join(root, 'test-results', 'screenshots');
const COURSE_TITLE = 'CNNs from LeNet-5 to ResNet';

const log = (line: string) => process.stderr.write(`# e2e course: ${line}\n`);

interface Step { id: string; title: string; description: string; media: { markdown: string } }
const steps = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { walkthroughs: { id: string; steps: Step[] }[] } })
  .contributes.walkthroughs.find((w) => w.id === 'convlab.cnnCourse')!.steps;

/** What each step's link must open, read from the link itself, and what its view must show. */
function expectation(step: Step): { label: string; sample: string; line: number; view: string; heading: string } {
  const link = /\[([^\]]+)\]\(command:convlab\.openSample\?([^)]+)\)/.exec(step.description)!;
  const [sample, line, view] = JSON.parse(decodeURIComponent(link[2]!)) as [string, number, string];
  const heading = /^# (.+)$/m.exec(readFileSync(join(root, step.media.markdown), 'utf8'))![1]!;
  return { label: link[1]!, sample, line, view, heading };
}

/** The model each sample's line belongs to, as the views title it. */
const MODEL_AT: Record<string, string> = {
  'lenet5.cnn': 'LeNet5', 'alexnet.cnn': 'AlexNet', 'vgg16.cnn': 'VGG16', 'googlenet.cnn': 'GoogLeNet', 'resnet18.cnn': 'ResNet18',
};

describe('the course walkthrough in a real VS Code', { timeout: 240_000 }, () => {
  let session: Session | undefined;
  let skipReason: string | undefined;

  before(async () => {
    let pre;
    try {
      pre = prerequisites(root, log);
    } catch (error) {
      if (!(error instanceof MissingPrerequisite) || inCI) throw error;
      skipReason = error.message;
      log(`skipped: ${skipReason}`);
      return;
    }
    const started = Date.now();
    session = await Session.start(root, pre, { sample: 'lenet5.cnn', workspaceSettings: () => ({}), screenshotDir });
    log(`workbench ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  after(async () => {
    await session?.close();
  });

  test('every step shows its text and opens its sample at its line, with its view beside it', async (t) => {
    if (skipReason) {
      t.skip(skipReason);
      return;
    }
    const workbench = session!.workbench;
    const page = workbench.page;
    assert.equal(steps.length, 6);
    for (const step of steps) {
      const started = Date.now();
      const { label, sample, line, view, heading } = expectation(step);
      const model = MODEL_AT[sample]!;
      // Back to the walkthrough: opened from the palette once, then its tab.
      if (step === steps[0]) {
        await workbench.runCommand('Welcome: Open Walkthrough...');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: COURSE_TITLE }).first().click();
      } else {
        await page.locator('.tab', { hasText: 'Walkthrough' }).first().click();
      }
      const stepButton = page.locator('.getting-started-step', { hasText: step.title }).first();
      await stepButton.click();
      // The step's text, with its paper, beside the steps.
      await workbench.webviewWithText(heading, 30_000);
      await page.locator('.getting-started-step.expanded', { hasText: step.title }).getByRole('button', { name: label }).click();

      // The sample, copied into the workspace, with the cursor on the step's line.
      await page.locator('.tab', { hasText: sample }).first().waitFor({ timeout: 30_000 });
      const activeLine = page.locator(`.monaco-editor[data-uri$="${sample}"] .line-numbers.active-line-number`).first();
      await workbench.waitFor(`line ${line} of ${sample}`, async () => ((await activeLine.innerText({ timeout: 1000 })).trim() === String(line) ? true : undefined), 15_000);
      const text = await workbench.editorText(sample);
      assert.ok(text.includes(readFileSync(join(root, 'samples', sample), 'utf8').split('\n')[line - 1]!.trim()), `${step.id}: line ${line} is in view`);

      if (view === 'architecture') {
        await page.locator('.tab', { hasText: `Architecture: ${model}` }).first().waitFor({ timeout: 30_000 });
        const diagram = await workbench.webviewWithText(new RegExp(`^${model}$`), 60_000);
        await diagram.locator('.receptive-field').waitFor({ timeout: 15_000 });
        await diagram.getByText(/Hover a layer to shade what one of its units sees/).waitFor({ timeout: 15_000 });
        await page.locator('.tab', { hasText: `Architecture: ${model}` }).first().waitFor();
      } else {
        await page.locator('.tab', { hasText: `${model} summary` }).first().waitFor({ timeout: 30_000 });
        // The card closes the summary document.
        await page.locator('.monaco-editor .view-lines', { hasText: 'CNN against MLP' }).first().waitFor({ timeout: 30_000 });
      }
      await workbench.screenshot(`course-${step.id}`);
      // Closed again, so each step's view is found among few webviews.
      const viewTab = page.locator('.tab', { hasText: view === 'architecture' ? `Architecture: ${model}` : `${model} summary` }).first();
      await viewTab.hover();
      await viewTab.locator('.codicon-close').click();
      await viewTab.waitFor({ state: 'detached' });
      log(`${step.id}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  });
});
