// Image folders packed as courses and Kaggle hand them out: .tar.gz, .tar and .zip, read in place.
import assert from 'node:assert/strict';
import { chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { labelCounts, openDataset } from '../../src/engine/data';
import { collect, pngBytes, tarBytes, temporaryDir, writeFile, zipBytes } from '../fixtures/datasets';

const tmp = temporaryDir();
after(tmp.remove);

const red = pngBytes(4, 4, () => [255, 0, 0]);
const blue = pngBytes(4, 4, () => [0, 0, 255]);
/** hymenoptera_data/{train,val}/{ants,bees}/, as the PyTorch tutorial's zip holds it, plus macOS litter. */
const MEMBERS = [
  { name: 'hymenoptera_data/train/bees/b1.png', body: blue },
  { name: 'hymenoptera_data/train/ants/a1.png', body: red },
  { name: 'hymenoptera_data/train/ants/a2.png', body: red },
  { name: 'hymenoptera_data/val/ants/a3.png', body: red },
  { name: 'hymenoptera_data/val/bees/b2.png', body: blue },
  { name: '__MACOSX/hymenoptera_data/train/ants/._a1.png', body: Buffer.from('resource fork') },
];

describe('packed image folders', () => {
  const dataDir = join(tmp.dir, 'data');
  writeFile(join(dataDir, 'bees.zip'), zipBytes(MEMBERS));
  writeFile(join(dataDir, 'bees-tar', 'hymenoptera.tar.gz'), gzipSync(tarBytes(MEMBERS)));
  writeFile(join(tmp.dir, 'flat.tar'), tarBytes([{ name: 'train/x/1.png', body: red }, { name: 'train/y/2.png', body: blue }, { name: 'test/y/3.png', body: blue }]));
  // A read-only data folder: nothing may be extracted into it.
  chmodSync(dataDir, 0o555);
  after(() => chmodSync(dataDir, 0o755));

  it('reads a .zip named by the dataset, under one top folder, with val/ as validation and test', async () => {
    const dataset = await openDataset('bees', { dataDir, env: {}, download: false });
    assert.equal(dataset.name, 'bees');
    assert.deepEqual(dataset.classNames, ['ants', 'bees']);
    assert.deepEqual(dataset.inputShape, [4, 4, 3]);
    assert.deepEqual(await labelCounts(dataset.train), [2, 1]);
    assert.equal(dataset.test, dataset.validation);
    const train = await collect(dataset.train.batches(8));
    assert.deepEqual(train.labels, [0, 0, 1]);
    assert.deepEqual(train.x.slice(0, 3), [1, 0, 0]);
    assert.deepEqual(train.x.slice(2 * 48, 2 * 48 + 3), [0, 0, 1]);
    assert.deepEqual(readdirSync(dataDir).sort(), ['bees-tar', 'bees.zip']);
  });

  it('reads a dataset folder that holds a .tar.gz, and a .tar named by its path', async () => {
    const packed = await openDataset('bees-tar', { dataDir, env: {}, download: false, validationFraction: 0 });
    assert.deepEqual(await labelCounts(packed.validation!), [1, 1]);
    const flat = await openDataset(join(tmp.dir, 'flat.tar'), { validationFraction: 0 });
    assert.equal(flat.name, 'flat');
    assert.deepEqual(flat.classNames, ['x', 'y']);
    assert.deepEqual(await labelCounts(flat.test), [0, 1]);
  });

  it('says what an archive without train/<class>/ holds', async () => {
    const odd = writeFile(join(tmp.dir, 'odd.zip'), zipBytes([{ name: 'images/1.png', body: red }]));
    await assert.rejects(openDataset(odd), /odd\.zip: no train\/<class>\/<image> inside \(members such as images\/1\.png\)/);
    const broken = writeFile(join(tmp.dir, 'broken.tar.gz'), Buffer.from('not gzip at all'));
    await assert.rejects(openDataset(broken), /broken\.tar\.gz: cannot read the archive/);
  });
});
