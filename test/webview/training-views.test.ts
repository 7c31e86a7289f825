import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { RunProgress } from '../../src/extension/jobs/run-progress';
import type { DoneEvent, EngineEvent } from '../../src/protocol/engine';
import type { DashboardFromView, FeatureMapsFromView, RunHistory } from '../../src/protocol/webview';
import { formatPercent } from '../../src/webview/shared/format';
import { browserAvailable, Harness, screenshotDir } from './harness/browser';
import { trainLeNet, trainTransfer, type TrainedLeNet } from './harness/training-run';

// The dashboard and the feature maps share one real training run, made by the CLI in set-up.
const harness = new Harness();
let lenet: TrainedLeNet;
let earlier: TrainedLeNet;
let transfer: { runDir: string; events: EngineEvent[] };
before(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  // A second, shorter run to overlay: 1,000 images for 3 epochs.
  [lenet, earlier, transfer] = await Promise.all([trainLeNet(), trainLeNet({ epochs: 3, limit: 1000 }), trainTransfer()]);
});
after(() => harness.close());

const history = (run: TrainedLeNet, name: string, events: EngineEvent[] = run.events): RunHistory => ({ name, runDir: run.runDir, events });
const epochEnds = (run: TrainedLeNet) => run.events.filter((e) => e.type === 'epochEnd').length;

test('dashboard: curves per epoch, smoothed batches, facts, verdict and an earlier run overlaid', async (t) => {
  if (!browserAvailable(t)) return;
  const view = await harness.open('dashboard');
  try {
    const page = view.page;
    assert.deepEqual(await view.posted(), [{ type: 'ready' }]);
    await view.deliver({ type: 'run', run: history(lenet, 'LeNet5-now') });
    await page.locator('.verdict').waitFor();
    for (const series of ['train-loss', 'validation-loss', 'train-accuracy', 'validation-accuracy']) {
      assert.equal(await page.locator(`g.points[data-series="${series}"] circle.point`).count(), 2, series);
    }
    for (const series of ['batch-loss', 'batch-accuracy', 'learning-rate']) {
      assert.match((await page.locator(`path.series[data-series="${series}"]`).getAttribute('d'))!, /^M[\d.]+,[\d.]+L/, series);
    }
    const done = lenet.events.at(-1) as DoneEvent;
    assert.equal(await page.locator('[data-card="backend"] .card-value').textContent(), 'wasm');
    assert.equal(await page.locator('[data-card="dataset"] .card-value').textContent(), 'mnist');
    assert.equal(await page.locator('[data-card="test-accuracy"] .card-value').textContent(), formatPercent(done.testAccuracy));
    assert.ok(await page.locator('[data-card="training-time"]').isVisible());
    assert.ok(await page.locator('[data-card="epoch-time"]').isVisible());
    const verdict = (await page.locator('.verdict').textContent())!;
    assert.match(verdict, /training accuracy [\d.]+% after 2 epochs|good fit|overfitting/, verdict);
    t.diagnostic(`verdict: ${verdict}`);
    assert.ok(await page.locator('vscode-button', { hasText: 'Cancel' }).isHidden(), 'no Cancel once done');

    // The curves for a report: CSV of the epochs, and the charts as one standalone SVG.
    await page.locator('vscode-button', { hasText: 'CSV' }).click();
    await page.locator('vscode-button', { hasText: 'SVG' }).click();
    await page.waitForFunction(() => true);
    const exported = (await view.posted<DashboardFromView>()).filter((m) => m.type === 'export');
    assert.deepEqual(exported.map((m) => m.type === 'export' && m.format), ['csv', 'svg']);
    assert.match(exported[0]!.type === 'export' ? exported[0]!.data : '', /^epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds\n1,/);
    assert.match(exported[1]!.type === 'export' ? exported[1]!.data : '', /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg".*>Loss<\/text>.*>Accuracy<\/text>/s);

    // Earlier runs are listed but hidden until ticked: a bad one would set the scale.
    await view.deliver({ type: 'overlay', runs: [history(earlier, 'LeNet5-earlier')] });
    await page.locator('.overlay-item').waitFor();
    assert.equal(await page.locator('path.series-overlay').count(), 0, 'hidden by default');
    await page.locator('.overlay-item vscode-checkbox').click();
    await page.waitForFunction(() => document.querySelectorAll('path.series-overlay').length === 2);
    assert.equal(await page.locator('path.series-overlay-validation').count(), 2);
    assert.equal(await page.locator('.x-axis .tick').last().textContent(), '3', 'the axis spans the longer run');
    await page.mouse.move(5, 5);
    await view.screenshot('dashboard-lenet5.png');

    // Ticked, it stays shown after a reload; unticked, it is hidden again.
    await page.reload();
    await view.deliver({ type: 'run', run: history(lenet, 'LeNet5-now') });
    await view.deliver({ type: 'overlay', runs: [history(earlier, 'LeNet5-earlier')] });
    await page.locator('.overlay-item').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('path.series-overlay').length === 2);
    await page.locator('.overlay-item vscode-checkbox').click();
    await page.waitForFunction(() => document.querySelectorAll('path.series-overlay').length === 0);
    await page.locator('.overlay-item .link-button').click();
    assert.deepEqual((await view.posted<DashboardFromView>()).at(-1), { type: 'openRun', runDir: earlier.runDir });
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

test('dashboard: live events one at a time, Cancel while running', async (t) => {
  if (!browserAvailable(t)) return;
  const view = await harness.open('dashboard');
  try {
    const page = view.page;
    // The history up to the second epoch's first batch, then the rest live.
    const split = lenet.events.findIndex((e) => e.type === 'batch' && e.epoch === 2) + 1;
    await view.deliver({ type: 'run', run: history(lenet, 'LeNet5-live', lenet.events.slice(0, split)) });
    const cancel = page.locator('vscode-button', { hasText: 'Cancel' });
    await cancel.waitFor();
    assert.match((await page.locator('.run-status').textContent())!, /^epoch 2\/2 · batch \d+\/32/);
    assert.equal(await page.locator('g.points[data-series="train-loss"] circle').count(), 1);
    assert.ok(await page.locator('[data-card="eta"]').isVisible());
    await cancel.click();
    assert.deepEqual((await view.posted<DashboardFromView>()).at(-1), { type: 'cancel', runDir: lenet.runDir });
    await page.locator('vscode-button', { hasText: 'Cancelling…' }).waitFor();

    await view.deliver({ type: 'event', runDir: '/elsewhere', event: lenet.events.at(-1)! });
    for (const event of lenet.events.slice(split)) await view.deliver({ type: 'event', runDir: lenet.runDir, event });
    await page.locator('[data-card="test-accuracy"]').waitFor();
    assert.equal(await page.locator('g.points[data-series="train-loss"] circle').count(), epochEnds(lenet));
    assert.ok(await cancel.isHidden());
    // Once it is done, the run can be evaluated from here.
    await page.locator('vscode-button', { hasText: 'Evaluate' }).click();
    assert.deepEqual((await view.posted<DashboardFromView>()).at(-1), { type: 'evaluate', runDir: lenet.runDir });
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

test('dashboard: a two-stage transfer run marks where fine-tuning starts and shows the stage', async (t) => {
  if (!browserAvailable(t)) return;
  // A real transfer run's stdout, read by the extension's parser and kept by its run progress,
  // as the job manager hands a dashboard the history of a live run.
  const progress = new RunProgress('Transfer');
  transfer.events.forEach((event) => progress.apply(event));
  const view = await harness.open('dashboard');
  try {
    const page = view.page;
    await view.deliver({ type: 'run', run: { name: 'Transfer-now', runDir: transfer.runDir, events: [...progress.events] } });
    await page.locator('[data-card="test-accuracy"]').waitFor();
    assert.equal(await page.locator('.stage-marker').count(), 3, 'one line in each chart');
    assert.equal(await page.locator('.stage-marker text').first().textContent(), 'fine-tuning starts');
    assert.match((await page.locator('[data-card="stage"]').textContent())!, /Stage 2 of 2.*Fine-tuning.*3,064 trainable/);
    await view.screenshot('dashboard-transfer.png');
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

test('feature maps: 6 filters and 6 maps of C1, hover reads a value, click enlarges, controls post requests', async (t) => {
  if (!browserAvailable(t)) return;
  const view = await harness.open('featuremaps', { initialState: { uri: `file://${lenet.file}`, model: 'LeNet5', layer: 'C1', run: lenet.runDir } });
  try {
    const page = view.page;
    await view.deliver({ type: 'layers', layers: ['C1', 'S2', 'C3', 'S4', 'C5', 'F6', 'out'], current: 'C1' });
    await view.deliver({ type: 'inspect', result: lenet.c1 });
    await view.renders(1);
    assert.equal(await page.locator('[data-section="filters"] .tile').count(), 6);
    assert.equal(await page.locator('[data-section="feature-maps"] .tile').count(), 6);
    assert.equal(await page.locator('[data-section="input"] .tile').count(), 1);
    assert.match((await page.locator('[data-section="filters"] .section-caption').textContent())!, /6 filters of 5×5×1, grey: the weights/);
    const canvas = page.locator('[data-section="feature-maps"] .tile canvas').first();
    assert.deepEqual(await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height]), [28, 28]);

    await canvas.hover({ position: { x: 48, y: 48 } });
    const tooltip = page.locator('.tooltip');
    await tooltip.waitFor({ state: 'visible' });
    assert.match((await tooltip.textContent())!, /map 0x 14, y 14: -?[\d.e-]+/);
    await page.mouse.move(5, 5);
    await view.screenshot('featuremaps-lenet5-c1.png');

    await canvas.click();
    const dialog = page.locator('dialog.enlarged');
    await dialog.waitFor();
    await dialog.locator('canvas').hover({ position: { x: 10, y: 10 } });
    assert.match((await dialog.locator('.enlarged-reading').textContent())!, /^x 0, y 0: /);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await page.locator('vscode-button', { hasText: 'Pick image' }).click();
    await page.locator('vscode-textfield').evaluate((field: HTMLElement & { value: string }) => {
      field.value = '3';
      field.dispatchEvent(new Event('change'));
    });
    await page.locator('vscode-single-select').evaluate((select: HTMLElement & { value: string }) => {
      select.value = 'C3';
      select.dispatchEvent(new Event('change'));
    });
    assert.deepEqual((await view.posted<FeatureMapsFromView>()).slice(1), [
      { type: 'pickImage' },
      { type: 'request', layer: 'C1', sample: 3 },
      { type: 'request', layer: 'C3', sample: 3 },
    ]);
    await view.deliver({ type: 'error', message: 'C3: no such layer in the checkpoint' });
    assert.equal(await page.locator('.error-banner').textContent(), 'C3: no such layer in the checkpoint');
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});
