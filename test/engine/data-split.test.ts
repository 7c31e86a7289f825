import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { holdout, labelCounts, openDataset, type Batch, type Split } from '../../src/engine/data';
import { collect, temporaryDir, writeIdxFolder } from '../fixtures/datasets';

const tmp = temporaryDir();
after(tmp.remove);

// 103 examples: example n has label n % 10 and first pixel (n * 7) % 256, which together identify it.
let train: Split;
before(async () => {
  const dir = join(tmp.dir, 'mnist-like');
  writeIdxFolder(dir, { train: 103, test: 7, rows: 2, cols: 2 });
  train = (await openDataset(dir, { validationFraction: 0 })).train;
});

/** The example numbers a split visits, read back from labels and first pixels. */
async function visited(split: Split, batchSize: number, options?: Parameters<Split['batches']>[1]): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of split.batches(batchSize, options)) {
    for (let i = 0; i < batch.count; i++) out.push(`${batch.labels[i]}:${Math.round((batch.x[i * 4] as number) * 255)}`);
  }
  return out;
}

describe('splits', () => {
  it('yields full batches and a smaller last one', async () => {
    const { counts, labels } = await collect(train.batches(25));
    assert.deepEqual(counts, [25, 25, 25, 25, 3]);
    assert.deepEqual(labels, Array.from({ length: 103 }, (_, n) => n % 10));
    const first = (await train.batches(25)[Symbol.asyncIterator]().next()).value as Batch;
    assert.equal(first.x.length, 25 * 4);
    assert.ok(first.labels instanceof Int32Array && first.x instanceof Float32Array);
    await assert.rejects(collect(train.batches(0)), /batch size must be a positive integer/);
  });

  it('shuffles reproducibly from a seed, visiting every example once', async () => {
    const inOrder = await visited(train, 16);
    const a = await visited(train, 16, { shuffle: true, seed: 42 });
    assert.deepEqual(await visited(train, 7, { shuffle: true, seed: 42 }), a, 'the order does not depend on the batch size');
    assert.notDeepEqual(a, inOrder);
    assert.notDeepEqual(await visited(train, 16, { shuffle: true, seed: 43 }), a);
    assert.deepEqual([...a].sort(), [...inOrder].sort());
  });

  it('limits to a fixed subset that mixes classes, whatever the seed', async () => {
    const limited = await visited(train, 8, { limit: 20 });
    assert.equal(limited.length, 20);
    assert.ok(new Set(limited.map((e) => e.split(':')[0])).size >= 5, `classes are mixed: ${limited}`);
    const shuffled = await visited(train, 8, { limit: 20, shuffle: true, seed: 5 });
    assert.deepEqual([...shuffled].sort(), [...limited].sort());
    assert.deepEqual((await collect(train.batches(8, { limit: 500 }))).counts.reduce((a, b) => a + b), 103);
    assert.deepEqual((await collect(train.batches(8, { limit: 0 }))).counts, []);
  });

  it('holds out a seeded, stratified share', async () => {
    const { train: rest, validation } = holdout(train, 0.2, 7);
    assert.equal(validation.count, 21); // round(0.2 × 103)
    assert.equal(rest.count, 82);
    const again = holdout(train, 0.2, 7);
    assert.deepEqual(await visited(again.validation, 50), await visited(validation, 50));
    assert.notDeepEqual(await visited(holdout(train, 0.2, 8).validation, 50), await visited(validation, 50));
    const counts = await labelCounts(validation, 10);
    assert.ok(counts.every((c) => c === 2 || c === 3), `stratified: ${counts}`);
    const both = [...(await visited(rest, 50)), ...(await visited(validation, 50))].sort();
    assert.deepEqual(both, [...(await visited(train, 50))].sort(), 'the two parts cover train exactly once');
    const labels = Array.from(await validation.labels!());
    assert.deepEqual(labels, (await collect(validation.batches(100))).labels, 'labels() matches the batches');
    // A held-out part can be divided again, and batches like any split.
    assert.equal(holdout(rest, 0.5, 1).validation.count, 41);
    assert.throws(() => holdout(train, 1.5, 0), /between 0 and 1/);
  });

  it('counts labels without decoding where it can, and by reading batches otherwise', async () => {
    assert.deepEqual(await labelCounts(train), [11, 11, 11, 10, 10, 10, 10, 10, 10, 10]);
    assert.deepEqual(await labelCounts(train, 12), [11, 11, 11, 10, 10, 10, 10, 10, 10, 10, 0, 0]);
    const plain: Split = { count: 103, batches: (size, options) => train.batches(size, options) };
    assert.deepEqual(await labelCounts(plain), [11, 11, 11, 10, 10, 10, 10, 10, 10, 10]);
  });
});
