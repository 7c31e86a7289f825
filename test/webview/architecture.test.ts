import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ArchitectureFromView, ArchitectureState } from '../../src/protocol/webview';
import { browserAvailable, Harness, screenshotDir } from './harness/browser';
import { sampleGraph } from './harness/models';

const harness = new Harness();
before(() => mkdirSync(screenshotDir, { recursive: true }));
after(() => harness.close());

test('LeNet-5: one node per layer with name, type, shape and params; tooltip; click reveals the line', async (t) => {
  if (!browserAvailable(t)) return;
  const graph = sampleGraph('lenet5.cnn');
  const view = await harness.open('architecture', { initialState: { uri: 'file:///samples/lenet5.cnn', model: 'LeNet5' } satisfies ArchitectureState });
  try {
    assert.deepEqual(await view.posted(), [{ type: 'ready' }]);
    await view.deliver({ type: 'graph', graph, hasErrors: false, fileName: '/work/samples/lenet5.cnn' });
    await view.renders(1);
    const page = view.page;
    assert.equal(await page.locator('.node').count(), graph.nodes.length);
    assert.equal(await page.locator('path.edge').count(), graph.edges.length);
    const c1 = page.locator('.node[data-id="n1"]');
    assert.equal(await c1.locator('.node-name').textContent(), 'C1');
    assert.equal(await c1.locator('.node-type').textContent(), 'Conv2D');
    assert.equal(await c1.locator('.node-detail').textContent(), '28×28×6 · 156 params');
    assert.match((await page.locator('.summary').textContent())!, /9 layers · 61,706 parameters/);
    assert.ok(await page.locator('.legend-item', { hasText: 'Convolution' }).isVisible());

    await c1.hover();
    const tooltip = page.locator('.tooltip');
    await tooltip.waitFor({ state: 'visible' });
    const text = (await tooltip.textContent())!;
    for (const part of ['C1 (Conv2D)', 'output 28×28×6', 'parameters 156', 'multiply-adds 117,600 (118 k)', 'line 8']) assert.ok(text.includes(part), `tooltip has "${part}": ${text}`);

    await c1.click();
    const reveal = (await view.posted<ArchitectureFromView>()).find((m) => m.type === 'reveal');
    assert.deepEqual(reveal, { type: 'reveal', range: graph.nodes[1]!.range });

    await view.deliver({ type: 'highlight', nodeIds: [3] });
    await page.locator('.node.highlighted[data-id="n3"]').waitFor();
    assert.equal(await page.locator('.highlighted').count(), 1);
    await page.mouse.move(5, 795);
    await view.screenshot('architecture-lenet5.png');
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

test('ResNet-50: shortcuts dashed, stages collapse and expand, zoom kept across updates and reloads', async (t) => {
  if (!browserAvailable(t)) return;
  const graph = sampleGraph('resnet50.cnn');
  const view = await harness.open('architecture');
  try {
    const page = view.page;
    await view.deliver({ type: 'graph', graph, hasErrors: false, fileName: 'resnet50.cnn' });
    await view.renders(1);
    assert.equal(await page.locator('.node').count(), graph.nodes.length);
    assert.equal(await page.locator('.group').count(), 4, 'layer1 to layer4');
    assert.equal(await page.locator('.group-title', { hasText: 'layer1 (stage)' }).count(), 1);
    // 16 bottlenecks: 16 identity-or-projection inputs into the adds, plus the 4 projections' own edges in and out.
    const shortcuts = await page.locator('path.edge.shortcut').count();
    assert.equal(shortcuts, 16 + 4 * 2);
    assert.equal(await page.locator('.node.synthetic-shortcut').count(), 8, 'conv + batchnorm of 4 projections');
    const renderMs = await page.evaluate(() => performance.getEntriesByName('convlab:diagram-render')[0]!.duration);
    t.diagnostic(`ResNet-50 layout and draw: ${renderMs.toFixed(0)} ms`);
    await page.mouse.move(5, 795);
    await view.screenshot('architecture-resnet50.png');

    // Collapse layer2 from its header, then expand it from its node.
    await page.locator('.group[data-block="layer2"] .group-header').dispatchEvent('click');
    await view.renders(2);
    const layer2Size = graph.nodes.filter((n) => n.scope[0]?.label === 'layer2').length;
    assert.equal(await page.locator('.node').count(), graph.nodes.length - layer2Size);
    assert.equal(await page.locator('.block').count(), 1);
    assert.match((await page.locator('.block .node-name').textContent())!, /layer2 \(stage\)/);

    // Zoom, then a new graph (as after a keystroke) keeps both the zoom and the folded block.
    await page.locator('vscode-button', { hasText: '+' }).click();
    await page.waitForFunction(() => document.querySelector('.canvas')!.getAttribute('transform')?.includes('scale'));
    await page.waitForTimeout(300);
    const zoomed = await page.locator('.canvas').getAttribute('transform');
    await view.deliver({ type: 'graph', graph, hasErrors: true, fileName: 'resnet50.cnn' });
    await view.renders(3);
    assert.equal(await page.locator('.canvas').getAttribute('transform'), zoomed);
    assert.ok(await page.locator('.warning').isVisible());

    // A highlighted layer inside the folded block highlights the block.
    const inLayer2 = graph.nodes.find((n) => n.scope[0]?.label === 'layer2')!;
    await view.deliver({ type: 'highlight', nodeIds: [inLayer2.id] });
    await page.locator('.block.highlighted').waitFor();

    // After a reload the view comes back from its saved state: same zoom, layer2 still folded.
    await page.reload();
    await view.deliver({ type: 'graph', graph, hasErrors: false, fileName: 'resnet50.cnn' });
    await view.renders(1);
    assert.equal(await page.locator('.block').count(), 1);
    assert.equal(await page.locator('.canvas').getAttribute('transform'), zoomed);
    // Highlighting a layer off screen pans to it (here its folded block), where a click expands it.
    assert.ok(!(await page.locator('.block').isVisible()) || !(await inViewport(page, '.block')));
    await view.deliver({ type: 'highlight', nodeIds: [inLayer2.id] });
    await page.waitForFunction(() => document.querySelector('.block.highlighted') !== null);
    await settled(page);
    assert.ok(await inViewport(page, '.block'));
    await page.locator('.block').click();
    await view.renders(2);
    assert.equal(await page.locator('.node').count(), graph.nodes.length);

    // Every stage folded and the whole network fitted into view.
    await page.locator('vscode-button', { hasText: 'Collapse all' }).click();
    await view.renders(3);
    assert.equal(await page.locator('.block').count(), 4);
    await page.locator('vscode-button', { hasText: 'Fit' }).click();
    await settled(page);
    assert.ok(await inViewport(page, '.block[data-id="b:layer4"]'));
    await view.screenshot('architecture-resnet50-collapsed.png');
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

test('a pretrained base is one group of its Keras layers, folded at first and by Collapse all', async (t) => {
  if (!browserAvailable(t)) return;
  const graph = sampleGraph('transfer-ants-bees.cnn');
  const view = await harness.open('architecture');
  try {
    const page = view.page;
    await view.deliver({ type: 'graph', graph, hasErrors: false, fileName: 'transfer-ants-bees.cnn' });
    await view.renders(1);
    // A base starts folded: its 119 layers are one idea until asked for.
    assert.equal(await page.locator('.block').count(), 1);
    await page.locator('vscode-button', { hasText: 'Expand all' }).click();
    await view.renders(2);
    assert.equal(await page.locator('.node').count(), graph.nodes.length);
    assert.equal(await page.locator('.group-title', { hasText: 'features (pretrained)' }).count(), 1);
    await page.locator('vscode-button', { hasText: 'Collapse all' }).click();
    await view.renders(3);
    assert.equal(await page.locator('.block').count(), 1);
    assert.equal(await page.locator('.node').count(), graph.nodes.length - graph.nodes.filter((n) => n.scope[0]?.label === 'features').length);
    await page.locator('vscode-button', { hasText: 'Fit' }).click();
    await settled(page);
    await view.screenshot('architecture-transfer-collapsed.png');
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

test('GoogLeNet: four Inception branches join at each concat', async (t) => {
  if (!browserAvailable(t)) return;
  const graph = sampleGraph('googlenet.cnn');
  const view = await harness.open('architecture');
  try {
    await view.deliver({ type: 'graph', graph, hasErrors: false, fileName: 'googlenet.cnn' });
    await view.renders(1);
    const concats = graph.nodes.filter((n) => n.type === 'Concatenate');
    assert.equal(concats.length, 9);
    for (const concat of concats) assert.equal(await view.page.locator(`path.edge[data-to="n${concat.id}"]`).count(), 4, concat.name);
    assert.equal(await view.page.locator('.group-title', { hasText: 'inception3a (inception)' }).count(), 1);
    await view.deliver({ type: 'highlight', nodeIds: [concats[0]!.id] });
    await settled(view.page);
    await view.page.mouse.move(5, 795);
    await view.screenshot('architecture-googlenet.png');
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

async function inViewport(page: import('playwright-core').Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight && box.left >= 0 && box.right <= window.innerWidth;
  });
}

test('export posts a standalone SVG and a PNG data URL', async (t) => {
  if (!browserAvailable(t)) return;
  const view = await harness.open('architecture', { theme: 'light' });
  try {
    await view.deliver({ type: 'graph', graph: sampleGraph('lenet5.cnn'), hasErrors: false, fileName: 'lenet5.cnn' });
    await view.renders(1);
    await view.page.locator('vscode-button', { hasText: 'Export SVG' }).click();
    await view.page.locator('vscode-button', { hasText: 'Export PNG' }).click();
    await view.page.waitForFunction(() => (window as unknown as { __convlab: { posted: { type: string }[] } }).__convlab.posted.filter((m) => m.type === 'export').length === 2);
    const exports = (await view.posted<ArchitectureFromView>()).filter((m) => m.type === 'export');
    const svg = exports.find((m) => m.format === 'svg')!.data;
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(svg.includes('>C1<') && !svg.includes('var(--'), 'theme colours are resolved, texts kept');
    const png = exports.find((m) => m.format === 'png')!.data;
    assert.match(png, /^data:image\/png;base64,/);
    // Kept beside the screenshots to look at: what the host would save.
    writeFileSync(join(screenshotDir, 'architecture-lenet5-export.svg'), svg);
    writeFileSync(join(screenshotDir, 'architecture-lenet5-export.png'), Buffer.from(png.slice(png.indexOf(',') + 1), 'base64'));
    await view.screenshot('architecture-lenet5-light.png');
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});

/** Until the view's pan or zoom transition has ended (the viewport marks it with data-moving). */
async function settled(page: import('playwright-core').Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[data-moving]') === null);
}
