import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { EvaluationReport } from '../../src/protocol/evaluation';
import type { GradCamResult } from '../../src/protocol/gradcam';
import type { SummaryJson } from '../../src/protocol/summary';
import type { EvaluationFromView, GradCamFromView, GradCamLayer } from '../../src/protocol/webview';
import { formatPercent } from '../../src/webview/shared/format';
import { browserAvailable, Harness, repoRoot, screenshotDir } from './harness/browser';
import { cifarReport, pneumoniaReport } from './harness/evaluation-fixtures';
import { trainLeNet, type TrainedLeNet } from './harness/training-run';

const run = promisify(execFile);
const cli = join(repoRoot, 'bin', 'convlab.js');
const harness = new Harness();
// Real engine output for the Grad-CAM view and one real evaluation: LeNet-5 trained briefly by the built CLI.
let lenet: TrainedLeNet;
let cam: GradCamResult;
let layers: GradCamLayer[];
let realReport: EvaluationReport;

async function convlab<T>(...args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [cli, ...args], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as T;
}

before(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  lenet = await trainLeNet();
  [cam, realReport] = await Promise.all([
    convlab<GradCamResult>('gradcam', lenet.file, '--run', lenet.runDir, '--sample', '0', '--json'),
    convlab<EvaluationReport>('eval', lenet.runDir, '--json'),
  ]);
  const summary = await convlab<SummaryJson>('summary', lenet.file, '--json');
  layers = summary.models[0]!.layers.flatMap((l) => (l.type !== 'Input' && l.outputShape?.length === 3 ? [{ name: l.name, type: l.type, outputShape: l.outputShape }] : []));
});
after(() => harness.close());

const cellCount = (page: import('playwright-core').Page, row: number, column: number) => page.locator(`g.cell[data-row="${row}"][data-column="${column}"] .cell-count`).textContent();

test('evaluation, two classes: accuracy, the matrix with hover, per-class scores, PNEUMONIA\'s sensitivity, reliability before and after', async (t) => {
  if (!browserAvailable(t)) return;
  const view = await harness.open('evaluation', { initialState: { runDir: pneumoniaReport.runDir } });
  try {
    const page = view.page;
    assert.deepEqual(await view.posted(), [{ type: 'ready' }]);
    await view.deliver({ type: 'evaluating', runDir: pneumoniaReport.runDir });
    // Messages arrive as window messages, after deliver returns: wait for what they change.
    await page.locator('.empty', { hasText: 'Evaluating PneumoniaNet-20250612-093015 on its test split' }).waitFor();
    await view.deliver({ type: 'report', report: pneumoniaReport });
    await view.renders(1);
    assert.equal(await page.locator('[data-card="accuracy"] .card-value').textContent(), '91.03%');
    assert.equal(await page.locator('[data-card="accuracy"] .card-detail').textContent(), '568 of 624 test examples right');

    assert.equal(await page.locator('g.cell').count(), 4);
    assert.deepEqual(await Promise.all([[0, 0], [0, 1], [1, 0], [1, 1]].map(([r, c]) => cellCount(page, r!, c!))), ['187', '47', '9', '381']);
    assert.deepEqual(await page.locator('.column-labels .class-label').allTextContents(), ['NORMAL', 'PNEUMONIA']);
    assert.deepEqual(await page.locator('.row-labels .class-label').allTextContents(), ['NORMAL', 'PNEUMONIA']);
    assert.deepEqual(await page.locator('.row-total').allTextContents(), ['n 234', 'n 390']);
    await page.locator('g.cell[data-row="0"][data-column="1"] rect').hover();
    const tooltip = page.locator('.tooltip');
    await tooltip.waitFor({ state: 'visible' });
    assert.equal(await tooltip.textContent(), 'NORMAL → PNEUMONIA47 examples: true NORMAL, predicted PNEUMONIA20.1% of the 234 NORMAL examples');

    const pneumonia = page.locator('.class-table tr[data-class="PNEUMONIA"]');
    assert.deepEqual(await pneumonia.locator('td').allTextContents(), ['PNEUMONIAcritical', '89.0%', '97.7%', '0.932', '390']);
    assert.match((await page.locator('.critical-callout').textContent())!, /^PNEUMONIA sensitivity 97\.7%9 of 390 PNEUMONIA test examples missed/);

    const { calibration } = pneumoniaReport;
    assert.equal(await page.locator('rect.bar[data-series="before"]').count(), 8);
    assert.equal(await page.locator('rect.bar[data-series="after"]').count(), 8);
    assert.equal(await page.locator('line.diagonal').count(), 1);
    assert.equal(await page.locator('[data-card="ece"] .card-value').textContent(), `${formatPercent(calibration.before.ece)} → ${formatPercent(calibration.after.ece)}`);
    assert.match((await page.locator('[data-section="calibration"] .section-caption').textContent())!, /^Temperature 1\.840 \(fitted on the validation split\)\. ECE [\d.]+% → [\d.]+%, NLL 0\.3121 → 0\.2307/);
    assert.equal(await page.locator('[data-card="temperature"] .card-value').textContent(), '1.840');

    assert.equal(await page.locator('.mistakes-table tbody tr').count(), 5);
    await page.locator('.mistakes-table tr[data-index="17"] .link-button').click();
    await page.locator('vscode-button', { hasText: 'Evaluate again' }).click();
    await page.locator('vscode-button', { hasText: 'Training dashboard' }).click();
    assert.deepEqual((await view.posted<EvaluationFromView>()).slice(1), [{ type: 'explain', sample: 17 }, { type: 'evaluate' }, { type: 'openRun' }]);
    await page.mouse.move(5, 5);
    await view.screenshot('evaluation-pneumonia.png');

    // A critical class without test examples: the engine's NaN sensitivity arrives as null.
    const empty = JSON.parse(JSON.stringify({ ...pneumoniaReport, critical: [{ name: 'PNEUMONIA', sensitivity: Number.NaN, missed: 0, support: 0 }] })) as EvaluationReport;
    await view.deliver({ type: 'report', report: empty });
    await view.renders(2);
    assert.equal(await page.locator('.critical-callout').textContent(), 'PNEUMONIA: no test examplesits sensitivity cannot be measured on this test split');
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

test('evaluation, ten classes: 100 cells with row-normalised colour, slanted labels, the reliability diagram; a reload keeps the report', async (t) => {
  if (!browserAvailable(t)) return;
  const view = await harness.open('evaluation', { initialState: { runDir: cifarReport.runDir }, viewport: { width: 1400, height: 900 } });
  try {
    const page = view.page;
    await view.deliver({ type: 'report', report: cifarReport });
    await view.renders(1);
    assert.equal(await page.locator('g.cell').count(), 100);
    const counts = await page.locator('g.cell').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-count'))));
    assert.equal(counts.reduce((a, b) => a + b, 0), 10000);
    assert.equal(await cellCount(page, 3, 5), '141', 'cats taken for dogs');
    assert.equal(await page.locator('[data-card="accuracy"] .card-value').textContent(), '84.98%');
    // The diagonal is strong, a 1% mistake faint: the fill follows the row share.
    const fills = await page.locator('g.cell rect').evaluateAll((rects) => rects.map((r) => (r as SVGRectElement).style.fill));
    assert.match(fills[0]!, /color-mix\(in srgb, var\(--vscode-charts-blue, #3794ff\) 88%/);
    assert.match(fills[1]!, /color-mix\(in srgb, var\(--vscode-charts-red, #f14c4c\) 11%/);
    assert.equal(await page.locator('g.cell.cell-strong').count(), 10);
    assert.match((await page.locator('.column-labels .class-label').first().getAttribute('transform'))!, /rotate\(-45\)/);
    assert.equal(await page.locator('.critical-list').isHidden(), true, 'no critical class on CIFAR-10');
    assert.equal(await page.locator('.class-table tbody tr').count(), 10);
    assert.equal(await page.locator('.class-table tr.weakest').getAttribute('data-class'), 'cat');
    await page.mouse.move(5, 5);
    await page.locator('[data-section="confusion"]').scrollIntoViewIfNeeded();
    await view.screenshot('evaluation-confusion.png');

    const nonEmpty = (bins: { count: number }[]) => bins.filter((b) => b.count > 0).length;
    assert.equal(await page.locator('rect.bar[data-series="before"]').count(), nonEmpty(cifarReport.calibration.before.bins!));
    assert.equal(await page.locator('rect.bar[data-series="after"]').count(), nonEmpty(cifarReport.calibration.bins));
    const top = page.locator('rect.bar[data-series="after"]').last();
    await top.hover();
    assert.match((await page.locator('.tooltip').textContent())!, /^After scaling: confidence 93%–100%5,800 examplesmean confidence 96\.2%accuracy 94\.5%over-confident by 1\.6 points$/);
    await page.mouse.move(5, 5);
    await page.locator('[data-section="calibration"]').evaluate((node) => node.scrollIntoView({ block: 'start' }));
    await view.screenshot('evaluation-reliability.png');

    await page.reload();
    await view.renders(1);
    assert.equal(await page.locator('g.cell').count(), 100, 'the saved report is drawn before the host sends anything');
    await view.deliver({ type: 'error', runDir: cifarReport.runDir, message: 'the engine exited with code 3' });
    await page.locator('.error-banner').waitFor();
    assert.equal(await page.locator('.error-banner').textContent(), 'Could not evaluate ResNet18Cifar-20250610-181244: the engine exited with code 3');
    assert.ok(await page.locator('g.cell').first().isVisible(), 'an error keeps the last report');
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

test('evaluation: an engine refusal shows its message and no report', async (t) => {
  if (!browserAvailable(t)) return;
  const view = await harness.open('evaluation', { initialState: { runDir: '/work/runs/LeNet5-20250101-120000' } });
  try {
    const page = view.page;
    await view.deliver({ type: 'evaluating', runDir: '/work/runs/LeNet5-20250101-120000' });
    await view.deliver({ type: 'error', runDir: '/work/runs/LeNet5-20250101-120000', message: '/work/runs/LeNet5-20250101-120000 has no summary.json: evaluate a run that finished training' });
    await page.locator('.error-banner').waitFor();
    assert.match((await page.locator('.error-banner').textContent())!, /^Could not evaluate LeNet5-20250101-120000: .* has no summary\.json/);
    assert.equal(await page.locator('.empty').textContent(), 'No report to show.');
    assert.ok(await page.locator('main.evaluation').isHidden());
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

test('evaluation of a real run: the report of convlab eval --json draws as it is', async (t) => {
  if (!browserAvailable(t)) return;
  const view = await harness.open('evaluation', { initialState: { runDir: lenet.runDir } });
  try {
    const page = view.page;
    await view.deliver({ type: 'report', report: realReport });
    await view.renders(1);
    assert.equal(await page.locator('g.cell').count(), 100);
    const counts = await page.locator('g.cell').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-count'))));
    assert.equal(counts.reduce((a, b) => a + b, 0), realReport.examples);
    assert.equal(await page.locator('[data-card="accuracy"] .card-value').textContent(), formatPercent(realReport.accuracy));
    const bars = realReport.calibration.bins.filter((b) => b.count > 0).length + (realReport.calibration.before.bins?.filter((b) => b.count > 0).length ?? 0);
    assert.equal(await page.locator('rect.bar').count(), bars);
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

test('Grad-CAM: the overlay of a real LeNet-5 run, the opacity slider, layer and class pickers that ask again', async (t) => {
  if (!browserAvailable(t)) return;
  const view = await harness.open('gradcam', { initialState: { uri: `file://${lenet.file}`, model: 'LeNet5', run: lenet.runDir } });
  try {
    const page = view.page;
    await view.deliver({ type: 'layers', layers });
    await view.deliver({ type: 'result', result: cam });
    await view.renders(1);
    const names = cam.classNames!;
    assert.equal(names.length, 10);
    assert.match((await page.locator('.model-name').textContent())!, /^Grad-CAM · LeNet5 · S4 \(5×5\)$/);
    assert.match((await page.locator('.verdict').textContent())!, new RegExp(`^Explaining ${names[cam.classIndex]}: probability ${formatPercent(cam.probability, 1).replace('.', '\\.')} · label 7`));
    assert.ok(await page.locator('.warning').isHidden(), 'trained weights: no warning');
    const overlay = page.locator('canvas.overlay-canvas');
    assert.deepEqual(await overlay.evaluate((c: HTMLCanvasElement) => [c.width, c.height]), [336, 336]);

    // What the canvas holds: how many pixels are not grey (the heat map) and how many distinct colours.
    // Read through a copy made for reading, so the view's canvas is never read back (Chrome warns when it is, often).
    const reading = () => overlay.evaluate((c: HTMLCanvasElement) => {
      const copy = document.createElement('canvas');
      copy.width = c.width;
      copy.height = c.height;
      const context = copy.getContext('2d', { willReadFrequently: true })!;
      context.drawImage(c, 0, 0);
      const data = context.getImageData(0, 0, c.width, c.height).data;
      let coloured = 0;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] !== data[i + 1] || data[i + 1] !== data[i + 2]) coloured++;
        colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      }
      return { coloured, colours: colours.size, opaque: data[3] === 255 };
    });
    const half = await reading();
    assert.ok(half.opaque && half.coloured > 10000 && half.colours > 100, JSON.stringify(half));
    const setOpacity = (value: number) => page.locator('input.opacity-slider').evaluate((input: HTMLInputElement, v) => {
      input.value = String(v);
      input.dispatchEvent(new Event('input'));
    }, value);
    await setOpacity(0);
    assert.equal((await reading()).coloured, 0, 'opacity 0: the grey digit alone');
    assert.equal(await page.locator('.opacity-value').textContent(), '0%');
    await setOpacity(50);
    await page.mouse.move(5, 5);
    await view.screenshot('gradcam-overlay.png');

    assert.equal(await page.locator('.layer-choice vscode-option').count(), 1 + layers.length);
    assert.equal(await page.locator('.class-choice vscode-option').count(), 11);
    assert.equal(await page.locator('.probabilities .probability').count(), 5);
    await page.locator('.class-choice').evaluate((select: HTMLElement & { value: string }) => {
      select.value = '3';
      select.dispatchEvent(new Event('change'));
    });
    await page.locator('.layer-choice').evaluate((select: HTMLElement & { value: string }) => {
      select.value = 'C3';
      select.dispatchEvent(new Event('change'));
    });
    await page.locator('vscode-textfield').evaluate((field: HTMLElement & { value: string }) => {
      field.value = '42';
      field.dispatchEvent(new Event('change'));
    });
    await page.locator('vscode-button', { hasText: 'Pick image' }).click();
    assert.deepEqual((await view.posted<GradCamFromView>()).slice(1), [
      { type: 'request', classIndex: 3, sample: 0 },
      { type: 'request', layer: 'C3', classIndex: 3, sample: 0 },
      { type: 'request', layer: 'C3', classIndex: 3, sample: 42 },
      { type: 'pickImage' },
    ]);

    await view.deliver({ type: 'error', message: 'after C3 the model branches or merges (at add_1): choose a later layer, such as S4' });
    await page.locator('.error-banner').waitFor();
    assert.equal(await page.locator('.error-banner').textContent(), 'after C3 the model branches or merges (at add_1): choose a later layer, such as S4');
    await view.deliver({ type: 'result', result: { ...cam, weights: 'untrained (seed 42)' } });
    await view.renders(2);
    assert.ok(await page.locator('.error-banner').isHidden());
    assert.match((await page.locator('.warning').textContent())!, /no trained run: these are untrained weights/);
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});
