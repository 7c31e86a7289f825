// The real datasets in ../shared/data (see its README), where this checkout has them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { labelCounts, openDataset, type Batch } from '../../src/engine/data';

const repoRoot = resolve(__dirname, '..', '..');
const dataDir = resolve(repoRoot, '..', 'shared', 'data');
const skip = (folder: string): string | false => (existsSync(join(dataDir, folder)) ? false : `${join(dataDir, folder)} is absent`);
const options = { dataDir, env: {}, download: false };

describe('real datasets in ../shared/data', () => {
  it('opens MNIST: 60,000 + 10,000 28×28 digits with the published statistics', { skip: skip('mnist') }, async () => {
    const mnist = await openDataset('mnist', { ...options, validationFraction: 0 });
    assert.equal(mnist.source, `${join(dataDir, 'mnist')} (from --data-dir)`);
    assert.deepEqual(mnist.inputShape, [28, 28, 1]);
    assert.equal(mnist.train.count, 60_000);
    assert.equal(mnist.test.count, 10_000);
    assert.deepEqual(await labelCounts(mnist.test), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // The mean pixel of the training set is 0.1307, the figure every MNIST tutorial normalises with.
    let sum = 0;
    let values = 0;
    for await (const batch of mnist.train.batches(10_000)) {
      for (const v of batch.x) sum += v;
      values += batch.x.length;
    }
    assert.ok(Math.abs(sum / values - 0.1307) < 5e-5, `mean ${sum / values}`);
  });

  it('opens hymenoptera: ants and bees, with val/ as validation', { skip: skip('hymenoptera') }, async () => {
    const dataset = await openDataset('hymenoptera', { ...options, image: { size: [224, 224] } });
    assert.deepEqual(dataset.classNames, ['ants', 'bees']);
    assert.deepEqual(dataset.inputShape, [224, 224, 3]);
    assert.deepEqual(await labelCounts(dataset.train), [122, 121]);
    assert.deepEqual(await labelCounts(dataset.validation!), [70, 83]);
    const batch = (await dataset.train.batches(8, { shuffle: true, seed: 1 })[Symbol.asyncIterator]().next()).value as Batch;
    assert.equal(batch.count, 8);
    assert.equal(batch.x.length, 8 * 224 * 224 * 3);
    assert.ok(batch.x.every((v) => v >= 0 && v <= 1));
  });

  it('opens the chest X-rays as one-channel images', { skip: skip('chest_xray_subset') }, async () => {
    const dataset = await openDataset('chest_xray_subset', options);
    assert.deepEqual(dataset.inputShape, [224, 224, 1]);
    assert.deepEqual(dataset.classNames, ['NORMAL', 'PNEUMONIA']);
    assert.equal(dataset.test.count, 50);
  });
});
