// Lesson 1 of samples/vanishing-gradients.cnn, trained for real by the engine (MNIST, 200 batches
// each), then drawn by the gradient-flow view in Chromium from the run folders, as the extension
// host reads them (src/extension/runs/gradient-flow-runs.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { comparedRuns, flowRun } from '../../src/extension/runs/gradient-flow-runs';
import { GradientFlowEventSchema } from '../../src/protocol/engine';
import type { GradientFlowFromView, GradientFlowRun } from '../../src/protocol/webview';
import { browserAvailable, Harness, screenshotDir } from './harness/browser';
import { trainSigmoidRun, type FlowRun } from './harness/gradient-flow-runs';

const harness = new Harness();
const runsDir = mkdtempSync(join(tmpdir(), 'convlab-flow-'));
let plain: FlowRun;
let residual: FlowRun;
before(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  plain = await trainSigmoidRun('SigmoidPlain', runsDir);
  residual = await trainSigmoidRun('SigmoidResidual', runsDir);
});
after(async () => {
  await harness.close();
  rmSync(runsDir, { recursive: true, force: true });
});

/** First weighted layer's gradient norm over the last one's, the median over a run's records. */
function firstOverLast(run: FlowRun): number {
  const ratios = run.recorded.map((event) => {
    const weighted = event.layers.filter((l) => l.gradientNorm !== undefined);
    return weighted[0]!.gradientNorm! / weighted.at(-1)!.gradientNorm!;
  }).sort((a, b) => a - b);
  return ratios[Math.floor(ratios.length / 2)]!;
}

test('a deep plain sigmoid network starves its first layer of gradient; shortcuts feed it', (t) => {
  for (const run of [plain, residual]) {
    // 200 batches, recorded at step 1 and every 20th after: 1, 21, …, 181.
    assert.deepEqual(run.recorded.map((e) => e.step), [1, 21, 41, 61, 81, 101, 121, 141, 161, 181], run.model);
    assert.deepEqual(run.recorded, run.sent, 'the run folder keeps the events as sent');
    for (const event of run.recorded) assert.ok(GradientFlowEventSchema.safeParse(event).success);
    const names = run.recorded[0]!.layers.map((l) => l.name);
    // Source order: the stem, the twelve calls of the block (its convolution's line), the output.
    assert.equal(names.length, 14, names.join(' '));
    assert.deepEqual([names[0], names[1], names[13]], ['stem', 'conv_1', 'out']);
    const lines = run.recorded[0]!.layers.map((l) => l.line);
    assert.ok(lines[0]! > lines[1]! && lines[1]! === lines[12]! && lines[13]! > lines[0]!, lines.join(' '));
    for (const layer of run.recorded.at(-1)!.layers) {
      assert.ok(layer.gradientNorm! > 0 && layer.weightNorm! > 0 && layer.updateRatio! > 0 && layer.updateRatio! < 1, JSON.stringify(layer));
      assert.equal(layer.deadFraction, undefined, 'sigmoid layers have no relu units');
    }
  }
  const plainRatio = firstOverLast(plain);
  const residualRatio = firstOverLast(residual);
  t.diagnostic(`first/last layer gradient norm, median of 10 records: plain ${plainRatio.toExponential(2)}, residual ${residualRatio.toExponential(2)}`);
  assert.ok(residualRatio / plainRatio >= 10, `plain ${plainRatio}, residual ${residualRatio}`);
});

test('gradient-flow view: both runs as heatmaps in source order, bars at the cursor, a click reveals the line', async (t) => {
  if (!browserAvailable(t)) return;
  const main = flowRun(plain.runDir, false)!;
  const compared = comparedRuns(plain.runDir, () => false);
  assert.deepEqual(compared.map((r) => r.model), ['SigmoidResidual'], 'the other model of the same file is compared');
  const view = await harness.open('gradientflow', { initialState: { runDir: plain.runDir }, viewport: { width: 1100, height: 820 } });
  try {
    const page = view.page;
    assert.deepEqual(await view.posted(), [{ type: 'ready' }]);
    const runs: GradientFlowRun[] = [main, ...compared];
    await view.deliver({ type: 'runs', runs });
    await view.renders(1);
    const sections = page.locator('section.flow-run');
    assert.equal(await sections.count(), 2);
    for (let i = 0; i < 2; i++) {
      const label = sections.nth(i).locator('text.layer-label');
      const labels = await Promise.all(Array.from({ length: await label.count() }, (_, k) => label.nth(k).getAttribute('data-layer')));
      assert.deepEqual(labels, runs[i]!.events[0]!.layers.map((l) => l.name), 'rows in source order');
      assert.equal(await sections.nth(i).locator('rect.cell').count(), 14 * 10);
    }
    // The bars show the last step by default; the plain stem's is orders of magnitude shorter.
    const bar = async (section: number, layer: string) => Number(await sections.nth(section).locator(`rect.bar[data-layer="${layer}"]`).getAttribute('data-value'));
    assert.equal(await bar(0, 'stem'), plain.recorded.at(-1)!.layers[0]!.gradientNorm);
    assert.ok((await bar(1, 'stem')) / (await bar(0, 'stem')) > 10);

    // Hovering a column moves the bars of both runs to that step.
    await sections.nth(1).locator('rect.cell[data-layer="out"][data-step="41"]').hover();
    await page.waitForFunction(() => document.querySelector('section.flow-run .bars-title')?.textContent === 'step 41');
    assert.equal(await bar(0, 'stem'), plain.recorded[2]!.layers[0]!.gradientNorm);

    // A layer's name reveals its line in the model file.
    await sections.nth(0).locator('text.layer-label', { hasText: 'stem' }).click();
    const reveal = (await view.posted<GradientFlowFromView>()).at(-1);
    assert.deepEqual(reveal, { type: 'reveal', runDir: plain.runDir, line: plain.recorded[0]!.layers[0]!.line });

    // Live: a later step adds a column.
    const later = { ...plain.recorded.at(-1)!, step: 201, batch: 201 };
    await view.deliver({ type: 'event', runDir: plain.runDir, event: later });
    await page.waitForFunction(() => document.querySelectorAll('section.flow-run')[0]!.querySelectorAll('rect.cell').length === 14 * 11);
    await page.mouse.move(2, 2);
    await view.screenshot('gradient-flow-sigmoid.png');

    // Another measure: the update-to-weight ratio, drawn the same way.
    await page.evaluate(() => {
      const select = document.querySelector('vscode-single-select') as HTMLElement & { value: string };
      select.value = 'updateRatio';
      select.dispatchEvent(new Event('change'));
    });
    // The cursor stays where it was put (step 41).
    const ratio = String(plain.recorded[2]!.layers.at(-1)!.updateRatio);
    await page.waitForFunction((v) => document.querySelector('section.flow-run rect.bar[data-layer="out"]')?.getAttribute('data-value') === v, ratio);
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.page.context().close();
  }
});
