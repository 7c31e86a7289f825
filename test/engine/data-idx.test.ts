import assert from 'node:assert/strict';
import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openDataset } from '../../src/engine/data';
import { collect, idxBytes, temporaryDir, writeFile, writeIdxFolder } from '../fixtures/datasets';

const tmp = temporaryDir();
after(tmp.remove);

describe('IDX datasets (MNIST layout)', () => {
  for (const gzip of [false, true]) {
    it(`reads ${gzip ? 'gzipped' : 'raw'} files back exactly, normalised to [0, 1]`, async () => {
      const dir = join(tmp.dir, `roundtrip-${gzip}`);
      const written = writeIdxFolder(dir, { train: 5, test: 3, rows: 4, cols: 3, gzip });
      const dataset = await openDataset(dir, { validationFraction: 0 });
      assert.deepEqual(dataset.inputShape, [4, 3, 1]);
      assert.equal(dataset.name, `roundtrip-${gzip}`);
      assert.deepEqual(dataset.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      assert.equal(dataset.validation, undefined);
      assert.equal(dataset.train.count, 5);
      assert.equal(dataset.test.count, 3);
      assert.match(dataset.checksum, /^[0-9a-f]{64}$/);
      const train = await collect(dataset.train.batches(2));
      assert.deepEqual(train.counts, [2, 2, 1]);
      assert.deepEqual(train.labels, Array.from(written.trainLabels));
      assert.deepEqual(train.x, Array.from(written.trainImages, (v) => Math.fround(v / 255)));
      const test = await collect(dataset.test.batches(10));
      assert.deepEqual(test.labels, Array.from(written.testLabels));
      assert.deepEqual(test.x, Array.from(written.testImages, (v) => Math.fround(v / 255)));
    });
  }

  it('gives the same checksum for the same files and a different one when a file changes', async () => {
    const a = join(tmp.dir, 'sum-a');
    const b = join(tmp.dir, 'sum-b');
    writeIdxFolder(a, { train: 4, test: 2 });
    writeIdxFolder(b, { train: 4, test: 2 });
    const first = await openDataset(a, { validationFraction: 0 });
    assert.equal((await openDataset(b, { validationFraction: 0 })).checksum, first.checksum);
    writeFile(join(b, 't10k-labels-idx1-ubyte'), idxBytes([2], Uint8Array.from([9, 9])));
    assert.notEqual((await openDataset(b, { validationFraction: 0 })).checksum, first.checksum);
  });

  it('names the file and byte offset of a truncated file', async () => {
    const dir = join(tmp.dir, 'truncated');
    writeIdxFolder(dir, { train: 10, test: 2, rows: 28, cols: 28 });
    const path = join(dir, 'train-images-idx3-ubyte');
    const full = readFileSync(path);
    writeFile(path, full.subarray(0, 16 + 1200));
    await assert.rejects(openDataset(dir), {
      name: 'DatasetError',
      message: `${path}: truncated at byte 1,216: expected 7,840 bytes of pixels after the 16-byte header, found 1,200`,
    });
  });

  it('names the decompressed offset of a truncated gzipped file', async () => {
    const dir = join(tmp.dir, 'truncated-gz');
    writeIdxFolder(dir, { train: 10, test: 2, rows: 28, cols: 28, gzip: true });
    const path = join(dir, 'train-images-idx3-ubyte.gz');
    const full = readFileSync(path);
    writeFile(path, full.subarray(0, Math.floor(full.length / 2)));
    await assert.rejects(openDataset(dir), (error: Error) => {
      assert.match(error.message, new RegExp(`^${escape(path)}: truncated at byte [\\d,]+ of the decompressed data: expected 7,840 bytes of pixels after the 16-byte header, found [\\d,]+$`));
      return true;
    });
  });

  it('rejects a bad magic number, and says when image and label files are swapped', async () => {
    const dir = join(tmp.dir, 'magic');
    writeIdxFolder(dir, { train: 3, test: 2 });
    const path = join(dir, 'train-images-idx3-ubyte');
    writeFile(path, Buffer.from([0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0]));
    await assert.rejects(openDataset(dir), {
      message: `${path}: bad magic number at byte 0: expected 0x00000803 (IDX images: unsigned bytes, 3 dimensions), found 0x12345678`,
    });
    writeFile(path, idxBytes([3], Uint8Array.from([1, 2, 3])));
    await assert.rejects(openDataset(dir), /found 0x00000801 \(an IDX labels file: are the file names swapped\?\)/);
  });

  it('rejects trailing bytes, label counts that differ from image counts, and labels beyond the classes', async () => {
    const dir = join(tmp.dir, 'lengths');
    writeIdxFolder(dir, { train: 3, test: 2 });
    const labels = join(dir, 'train-labels-idx1-ubyte');
    writeFile(labels, Buffer.concat([idxBytes([3], Uint8Array.from([1, 2, 3])), Buffer.from([0, 0])]));
    await assert.rejects(openDataset(dir), { message: `${labels}: unexpected data at byte 11: the header promises 3 items (3 bytes) but 2 more bytes follow` });
    writeFile(labels, idxBytes([2], Uint8Array.from([1, 2])));
    await assert.rejects(openDataset(dir), new RegExp(`${escape(labels)}: 2 labels for the 3 images`));
    writeFile(labels, idxBytes([3], Uint8Array.from([1, 12, 3])));
    await assert.rejects(openDataset(dir), { message: `${labels}: bad label at byte 9: 12 is not one of the 10 classes (0 to 9)` });
  });

  it('lists the files that are missing', async () => {
    const dir = join(tmp.dir, 'missing');
    writeIdxFolder(dir, { train: 3, test: 2, gzip: true });
    unlinkSync(join(dir, 't10k-labels-idx1-ubyte.gz'));
    await assert.rejects(openDataset(dir), { message: `${dir}: missing t10k-labels-idx1-ubyte(.gz)` });
  });

  it('reports corrupt gzip data', async () => {
    const dir = join(tmp.dir, 'corrupt-gz');
    writeIdxFolder(dir, { train: 3, test: 2, gzip: true });
    const path = join(dir, 'train-labels-idx1-ubyte.gz');
    const bytes = gzipSync(idxBytes([3], Uint8Array.from([1, 2, 3])));
    const crc = bytes.length - 8;
    bytes[crc] = (bytes[crc] as number) ^ 0xff;
    writeFile(path, bytes);
    await assert.rejects(openDataset(dir), new RegExp(`${escape(path)}: corrupt gzip data \\(incorrect data check\\)`));
  });

  it('uses Fashion-MNIST class names for a folder named like it', async () => {
    const dir = join(tmp.dir, 'fashion-mnist');
    writeIdxFolder(dir, { train: 3, test: 2 });
    const dataset = await openDataset(dir, { validationFraction: 0 });
    assert.equal(dataset.classNames[0], 'T-shirt/top');
    assert.equal(dataset.classNames[9], 'Ankle boot');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
