import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { after, before, test } from 'node:test';
import type { GraphNodeJson } from '../../src/protocol/graph';
import { browserAvailable, Harness, screenshotDir } from './harness/browser';
import { sampleGraph } from './harness/models';

const harness = new Harness();
before(() => mkdirSync(screenshotDir, { recursive: true }));
after(() => harness.close());

interface Box { x: number; y: number; width: number; height: number }

test('ResNet-18: hovering a layer shades its receptive field on the 224×224 input, at the analyzer\'s size and jump', async (t) => {
  if (!browserAvailable(t)) return;
  const graph = sampleGraph('resnet18.cnn', { model: 'ResNet18' });
  const byName = (name: string): GraphNodeJson => graph.nodes.find((n) => n.name === name)!;
  // The analyzer's figures, written out so a change in either shows: conv1 is 7×7 stride 2; by
  // layer2's second 3×3 convolution the strides multiply to 8 and the fields add up to 67.
  assert.deepEqual([byName('conv1').receptiveField, byName('conv1').jump], [[7, 7], [2, 2]]);
  assert.deepEqual([byName('layer2/conv_2').receptiveField, byName('layer2/conv_2').jump], [[67, 67], [8, 8]]);

  const view = await harness.open('architecture', { viewport: { width: 1280, height: 900 } });
  try {
    const page = view.page;
    await view.deliver({ type: 'graph', graph, hasErrors: false, fileName: 'resnet18.cnn' });
    await view.renders(1);
    await page.locator('vscode-button', { hasText: 'Expand all' }).click();
    await view.renders(2);
    const inset = page.locator('.receptive-field');
    await inset.waitFor({ state: 'visible' });
    assert.match((await inset.locator('.rf-caption').textContent())!, /Input 224×224 at true scale/);

    for (const name of ['conv1', 'layer2/conv_2']) {
      const layer = byName(name);
      await page.locator(`.node[data-id="n${layer.id}"]`).dispatchEvent('mouseenter');
      await page.locator(`.receptive-field[data-layer="${name}"]`).waitFor();
      const { canvas, field, neighbour } = await onScreen(page, ['.rf-canvas', '.rf-field', '.rf-neighbour']);
      const scale = canvas.width / 224;
      assert.equal(scale, Number(await inset.getAttribute('data-scale')), 'the input is drawn at the scale the inset states');
      // Measured on the screen, in input pixels: the field's size and the step to the next unit's field.
      assert.ok(Math.abs(field.width / scale - layer.receptiveField[1]) < 0.01, `${name}: field width ${field.width / scale}`);
      assert.ok(Math.abs(field.height / scale - layer.receptiveField[0]) < 0.01, `${name}: field height ${field.height / scale}`);
      assert.ok(Math.abs((neighbour.x - field.x) / scale - layer.jump[1]) < 0.01, `${name}: jump ${(neighbour.x - field.x) / scale}`);
      assert.equal(neighbour.y, field.y);
      // Centred on the input.
      assert.ok(Math.abs(field.x - canvas.x - (canvas.width - field.width) / 2) <= scale, `${name} is centred`);
      const caption = (await inset.locator('.rf-caption').textContent())!;
      assert.ok(caption.includes(`receptive field ${layer.receptiveField[0]}×${layer.receptiveField[1]} px`), caption);
      assert.ok(caption.includes(`jump ${layer.jump[0]} px`), caption);
    }
    await view.screenshot('architecture-receptive-field-resnet18.png');
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

/** Each element's geometry (its fill, without the stroke) in screen pixels, through the SVG's own transform. */
async function onScreen(page: Page, selectors: string[]): Promise<Record<'canvas' | 'field' | 'neighbour', Box>> {
  const boxes = await page.evaluate((list) => list.map((selector) => {
    const shape = document.querySelector<SVGGraphicsElement>(selector)!;
    const b = shape.getBBox();
    const m = shape.getScreenCTM()!;
    return { x: m.a * b.x + m.e, y: m.d * b.y + m.f, width: m.a * b.width, height: m.d * b.height };
  }), selectors);
  return { canvas: boxes[0]!, field: boxes[1]!, neighbour: boxes[2]! };
}
