import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { loadInspectable, type InspectableModel } from '../../src/engine/explanation/feature-maps';
import { exampleFor, explainFlow, type Example } from '../../src/engine/explanation/forward-flow';
import { explainUnit } from '../../src/engine/explanation/unit-explanation';
import type { ExplainFlow, UnitExplanation } from '../../src/protocol/explain';
import type { ExplainFromView } from '../../src/protocol/webview';
import { signedSum } from '../../src/webview/explain/unit-detail';
import { formatValue } from '../../src/webview/shared/format';
import { browserAvailable, Harness, repoRoot, screenshotDir } from './harness/browser';

// The real engine's answers for LeNet-5 (initial weights, seed 42) and the first MNIST test
// digit, delivered to the view as the host would; clicks must ask for the value clicked.
const lenet = join(repoRoot, 'samples', 'lenet5.cnn');
const harness = new Harness();
let model: InspectableModel;
let example: Example;
let flow: ExplainFlow;

before(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  model = await loadInspectable({ file: lenet, backend: 'cpu' });
  example = await exampleFor(model, { file: lenet, sample: 0 });
  flow = JSON.parse(JSON.stringify(explainFlow(model, example))) as ExplainFlow;
});
after(async () => {
  model?.compiled.model.dispose();
  await harness.close();
});

const unit = (layer: string, position: number[]) => JSON.parse(JSON.stringify(explainUnit(model, example, { layer, position }))) as UnitExplanation;

/** Clicks the middle of one cell of a map drawn at any scale. */
async function clickCell(canvas: Locator, rows: number, columns: number, row: number, column: number): Promise<void> {
  const box = (await canvas.boundingBox())!;
  await canvas.click({ position: { x: ((column + 0.5) / columns) * box.width, y: ((row + 0.5) / rows) * box.height } });
}

test('explain an image: columns of maps to the prediction; a conv, a pool and a dense value show their sums', async (t) => {
  if (!browserAvailable(t)) return;
  const view = await harness.open('explain', { initialState: { uri: 'file:///samples/lenet5.cnn', model: 'LeNet5' }, viewport: { width: 1400, height: 1250 } });
  try {
    const page = view.page;
    await view.deliver({ type: 'flow', flow });
    await view.renders(1);
    assert.deepEqual(await page.locator('.flow-column').evaluateAll((cs) => cs.map((c) => (c as HTMLElement).dataset.layer)), ['input', 'C1', 'S2', 'C3', 'S4', 'flatten_1', 'C5', 'F6', 'out', 'prediction']);
    assert.equal(await page.locator('.flow-column[data-layer="C3"] canvas').count(), 16);
    assert.equal(await page.locator('.class-row').count(), 10);
    const top = flow.prediction!.ranked[0]!;
    assert.equal(await page.locator('.class-row').first().getAttribute('data-class'), String(top.index));
    assert.match((await page.locator('.prediction-column .column-type').textContent())!, /^not calibrated$/);
    assert.ok(await page.locator('.warning').isVisible(), 'initial weights are said to be initial');

    // A convolution: click C3, channel 1, row 4, column 6.
    await clickCell(page.locator('.flow-column[data-layer="C3"] canvas').nth(1), 10, 10, 4, 6);
    const conv = unit('C3', [4, 6, 1]);
    assert.deepEqual((await view.posted<ExplainFromView>()).at(-1), { type: 'explainUnit', layer: 'C3', position: [4, 6, 1] });
    await view.deliver({ type: 'unit', unit: conv });
    await view.renders(2);
    assert.equal(conv.kind, 'conv');
    if (conv.kind !== 'conv') return;
    assert.equal(await page.locator('.unit-title').textContent(), `C3 (Conv2D) · row 4, column 6, channel 1 = ${formatValue(conv.value)}`);
    assert.equal(await page.locator('.channel-grid').count(), 6);
    assert.equal(await page.locator('.channel-grid').first().locator('.term-cell').count(), 25);
    const field = page.locator('.unit-detail .field-box');
    assert.deepEqual(await field.evaluate((b) => ({ ...(b as HTMLElement).dataset })), { top: '6', left: '10', bottom: '19', right: '23' });
    assert.deepEqual(await page.locator('.flow .field-box').evaluate((b) => ({ ...(b as HTMLElement).dataset })), { top: '6', left: '10', bottom: '19', right: '23' });
    assert.deepEqual(await page.locator('.unit-detail .window-box').evaluate((b) => ({ ...(b as HTMLElement).dataset })), { top: '4', left: '6', bottom: '8', right: '10' });
    assert.equal(await page.locator('.sum-line').textContent(), `${signedSum([...conv.channels].sort((a, b) => Math.abs(b.sum) - Math.abs(a.sum)).map((c) => ({ value: c.sum, text: '' })))} + bias ${formatValue(conv.bias)} = ${formatValue(conv.preActivation)}`);
    assert.equal(await page.locator('.activation-line').textContent(), `relu: max(0, ${formatValue(conv.preActivation)}) = ${formatValue(conv.value)}`);
    await view.screenshot('explain-conv.png');

    // A pooling value: S2, channel 2, row 3, column 4, next to C1's padding-free window.
    await clickCell(page.locator('.flow-column[data-layer="S2"] canvas').nth(2), 14, 14, 3, 4);
    assert.deepEqual((await view.posted<ExplainFromView>()).at(-1), { type: 'explainUnit', layer: 'S2', position: [3, 4, 2] });
    const pool = unit('S2', [3, 4, 2]);
    await view.deliver({ type: 'unit', unit: pool });
    await view.renders(3);
    assert.equal(await page.locator('.pool-grid .term-cell').count(), 4);
    assert.equal(await page.locator('.pool-grid .term-cell.chosen').count(), 1);
    assert.match((await page.locator('.sum-line').textContent())!, new RegExp(`^max\\(.*\\) = ${formatValue(pool.value).replace('.', '\\.')}$`));
    assert.deepEqual(await page.locator('.unit-detail .window-box').evaluate((b) => ({ ...(b as HTMLElement).dataset })), { top: '6', left: '8', bottom: '7', right: '9' });
    await view.screenshot('explain-pool.png');

    // A dense unit: C5 unit 17 from its strip of 120.
    await clickCell(page.locator('.flow-column[data-layer="C5"] canvas'), 120, 1, 17, 0);
    assert.deepEqual((await view.posted<ExplainFromView>()).at(-1), { type: 'explainUnit', layer: 'C5', position: [17] });
    const dense = unit('C5', [17]);
    await view.deliver({ type: 'unit', unit: dense });
    await view.renders(4);
    assert.equal(dense.kind, 'dense');
    if (dense.kind !== 'dense') return;
    assert.equal(await page.locator('.dense-terms tr[data-index]').count(), dense.top.length);
    assert.equal(await page.locator('.dense-terms .rest-row td').last().textContent(), formatValue(dense.rest.sum));
    assert.equal(await page.locator('.sum-line').textContent(), `Σ 400 terms + bias ${formatValue(dense.bias)} = ${formatValue(dense.preActivation)}`);
    assert.equal(await page.locator('.unit-detail .field-box').count(), 0, 'a dense unit sees the whole image: no box');
    await page.locator('.unit-detail').scrollIntoViewIfNeeded();
    await view.screenshot('explain-dense.png');

    // A column head reveals its layer's line; the flatten column is not clickable.
    await page.locator('.flow-column[data-layer="C3"] .column-head').click();
    assert.deepEqual((await view.posted<ExplainFromView>()).at(-1), { type: 'reveal', line: flow.layers.find((l) => l.name === 'C3')!.line });
    assert.equal(await page.locator('.flow-column[data-layer="flatten_1"] canvas.clickable').count(), 0);
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});
