import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openDataset } from '../../src/engine/data';
import { cifarRecords, collect, tarBytes, temporaryDir, writeFile } from '../fixtures/datasets';

const tmp = temporaryDir();
after(tmp.remove);

// Pixel p of channel c of record r; distinct enough that a plane mix-up shows.
const pixel = (r: number, c: number, p: number): number => r * 31 + c * 80 + p;

/** Two records per training batch (labels 0..9), three in the test batch. */
function batchFiles(): { name: string; body: Buffer }[] {
  const files = [1, 2, 3, 4, 5].map((i) => ({ name: `cifar-10-batches-bin/data_batch_${i}.bin`, body: cifarRecords([2 * i - 2, 2 * i - 1], (r, c, p) => pixel(r + 10 * i, c, p)) }));
  files.push({ name: 'cifar-10-batches-bin/test_batch.bin', body: cifarRecords([7, 8, 9], (r, c, p) => pixel(r + 100, c, p)) });
  return files;
}

const META = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n';

function expectedPixels(recordSeed: number): number[] {
  const values: number[] = [];
  for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) values.push(Math.fround((pixel(recordSeed, c, p) & 0xff) / 255));
  return values;
}

async function checkDataset(path: string): Promise<void> {
  const dataset = await openDataset(path, { validationFraction: 0 });
  assert.equal(dataset.name, 'cifar10');
  assert.deepEqual(dataset.inputShape, [32, 32, 3]);
  assert.equal(dataset.classNames[1], 'automobile');
  assert.equal(dataset.train.count, 10);
  assert.equal(dataset.test.count, 3);
  const train = await collect(dataset.train.batches(4));
  assert.deepEqual(train.counts, [4, 4, 2]);
  assert.deepEqual(train.labels, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // batches 1..5 in order
  // Record 0 of data_batch_2 is the third training example; planes become interleaved RGB.
  assert.deepEqual(train.x.slice(2 * 3072, 3 * 3072), expectedPixels(20));
  const test = await collect(dataset.test.batches(8));
  assert.deepEqual(test.labels, [7, 8, 9]);
  assert.deepEqual(test.x.slice(3072, 2 * 3072), expectedPixels(101));
}

describe('CIFAR-10 binary', () => {
  it('reads cifar-10-binary.tar.gz', async () => {
    const dir = join(tmp.dir, 'archive', 'cifar10');
    const files = batchFiles();
    files.splice(3, 0, { name: 'cifar-10-batches-bin/batches.meta.txt', body: Buffer.from(META) });
    writeFile(join(dir, 'cifar-10-binary.tar.gz'), gzipSync(tarBytes(files)));
    await checkDataset(dir);
    await checkDataset(join(dir, 'cifar-10-binary.tar.gz'));
  });

  it('reads an extracted cifar-10-batches-bin/ folder, with or without batches.meta.txt', async () => {
    const dir = join(tmp.dir, 'folder', 'cifar10');
    for (const { name, body } of batchFiles()) writeFile(join(dir, name), body);
    await checkDataset(dir);
    writeFile(join(dir, 'cifar-10-batches-bin', 'batches.meta.txt'), META.replace('automobile', 'car'));
    assert.equal((await openDataset(dir, { validationFraction: 0 })).classNames[1], 'car');
  });

  it('names the file and offset of a record cut short', async () => {
    const dir = join(tmp.dir, 'short', 'cifar10');
    for (const { name, body } of batchFiles()) writeFile(join(dir, name), body);
    const path = writeFile(join(dir, 'cifar-10-batches-bin', 'data_batch_3.bin'), cifarRecords([1, 2], () => 0).subarray(0, 3073 + 100));
    await assert.rejects(openDataset(dir), {
      name: 'DatasetError',
      message: `${path}: truncated at byte 3,173: record 2 starts at byte 3,073 and has 100 of its 3,073 bytes (1 label byte + 3,072 pixel bytes)`,
    });
  });

  it('names the archive member of a bad record, and a truncated archive', async () => {
    const dir = join(tmp.dir, 'bad-archive', 'cifar10');
    const files = batchFiles();
    files[4] = { name: 'cifar-10-batches-bin/data_batch_5.bin', body: cifarRecords([3, 12], () => 0) };
    const archive = writeFile(join(dir, 'cifar-10-binary.tar.gz'), gzipSync(tarBytes(files)));
    await assert.rejects(openDataset(dir), {
      message: `${archive}:cifar-10-batches-bin/data_batch_5.bin: bad label at byte 3,073: 12 is not one of the 10 classes; is this CIFAR-100 or a corrupt file?`,
    });
    const whole = gzipSync(tarBytes(batchFiles()));
    writeFile(archive, whole.subarray(0, whole.length - 20));
    await assert.rejects(openDataset(dir), new RegExp(`${archive.replace(/[.\\]/g, '\\$&')}: gzip data ends early after [\\d,]+ bytes of the file`));
    writeFile(archive, gzipSync(tarBytes(batchFiles()).subarray(0, 3 * 512 + 2000)));
    await assert.rejects(openDataset(dir), /truncated at byte [\d,]+ of the decompressed data: cifar-10-batches-bin\/data_batch_1\.bin should hold 6,146 bytes, found/);
  });

  it('lists missing batches', async () => {
    const dir = join(tmp.dir, 'missing', 'cifar10');
    for (const { name, body } of batchFiles().filter((f) => !f.name.includes('batch_4'))) writeFile(join(dir, name), body);
    await assert.rejects(openDataset(dir), { message: `${join(dir, 'cifar-10-batches-bin')}: missing data_batch_4.bin` });
  });
});
