import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CAFFE_NORMALIZATION, IMAGENET_NORMALIZATION, openDataset, SIGNED_UNIT_NORMALIZATION } from '../../src/engine/data';
import { imageBytesToInput } from '../../src/engine/data/image-file';
import { collect, jpegBytes, pngBytes, temporaryDir, writeFile, type PixelFunction } from '../fixtures/datasets';

const tmp = temporaryDir();
after(tmp.remove);

const solid = (r: number, g: number, b: number): PixelFunction => () => [r, g, b];
const near = (actual: number, expected: number, tolerance = 0.02): void => assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

/** train/{cats,ants}/ with PNG and JPEG files, and val/ with one of each class. */
function writeFolder(root: string): void {
  writeFile(join(root, 'train', 'cats', 'a.png'), pngBytes(4, 4, solid(255, 0, 0)));
  writeFile(join(root, 'train', 'cats', 'b.jpg'), jpegBytes(8, 6, solid(0, 255, 0)));
  writeFile(join(root, 'train', 'cats', 'notes.txt'), 'not an image');
  writeFile(join(root, 'train', 'ants', 'c.JPEG'), jpegBytes(6, 8, solid(0, 0, 255)));
  writeFile(join(root, 'train', 'ants', 'd.png'), pngBytes(4, 4, solid(255, 255, 255)));
  writeFile(join(root, 'val', 'ants', 'e.png'), pngBytes(4, 4, solid(10, 20, 30)));
  writeFile(join(root, 'val', 'cats', 'f.png'), pngBytes(4, 4, solid(40, 50, 60)));
}

describe('image folders', () => {
  const root = join(tmp.dir, 'pets');
  writeFolder(root);

  it('lists classes alphabetically, takes val/ as validation and test, and decodes PNG and JPEG', async () => {
    assert.deepEqual((await openDataset(root)).inputShape, [8, 6, 3]); // the first training image's size and channels
    const dataset = await openDataset(root, { image: { size: [4, 4] } });
    assert.equal(dataset.name, 'pets');
    assert.deepEqual(dataset.classNames, ['ants', 'cats']);
    assert.deepEqual(dataset.inputShape, [4, 4, 3]);
    assert.equal(dataset.train.count, 4);
    assert.equal(dataset.validation?.count, 2);
    assert.equal(dataset.test, dataset.validation);
    assert.deepEqual(dataset.notes, ['no test/ folder: the test split is the validation split']);
    const train = await collect(dataset.train.batches(3));
    assert.deepEqual(train.counts, [3, 1]);
    assert.deepEqual(train.labels, [0, 0, 1, 1]);
    const pixelAt = (example: number, pixel: number): number[] => train.x.slice(example * 48 + pixel * 3, example * 48 + pixel * 3 + 3);
    // c.JPEG is 6 wide and 8 high: center-cropped to 6×6, then shrunk to 4×4.
    pixelAt(0, 5).forEach((v, c) => near(v, [0, 0, 1][c] as number));
    assert.deepEqual(pixelAt(1, 0), [1, 1, 1]);
    assert.deepEqual(pixelAt(2, 15), [1, 0, 0]);
    pixelAt(3, 7).forEach((v, c) => near(v, [0, 1, 0][c] as number));
    const validation = await collect((dataset.validation ?? dataset.test).batches(8));
    assert.deepEqual(validation.labels, [0, 1]);
    near(validation.x[0] as number, 10 / 255, 1e-6);
  });

  it('resizes with center-crop or stretch, antialiasing when shrinking', async () => {
    const dir = join(tmp.dir, 'geometry');
    // 4 wide, 2 high: columns 0 and 3 at 255, columns 1 and 2 at 100 (red channel only).
    const columns = [255, 100, 100, 255];
    const wide = pngBytes(4, 2, (x) => [columns[x] as number, 0, 0]);
    writeFile(join(dir, 'train', 'x', 'wide.png'), wide);
    writeFile(join(dir, 'test', 'x', 'wide.png'), wide);
    // A 2×2 checkerboard.
    writeFile(join(dir, 'train', 'y', 'checker.png'), pngBytes(2, 2, (x, y) => ((x + y) % 2 ? [255, 255, 255] : [0, 0, 0])));
    const gray = (value: number): number => (0.299 * value) / 255;

    const crop = await openDataset(dir, { validationFraction: 0, image: { size: [2, 2], channels: 1 } });
    // At scale 1 the 2×2 center crop is columns 1 and 2, exactly.
    (await collect(crop.test.batches(1))).x.forEach((v) => near(v, gray(100), 1e-6));

    const stretch = await openDataset(dir, { validationFraction: 0, image: { size: [2, 2], channels: 1, resize: 'stretch' } });
    // Halving the width: PIL's triangle filter, widened to 2 source pixels, weighs columns 0, 1, 2 as 3 : 3 : 1.
    const stretched = (await collect(stretch.test.batches(1))).x;
    near(stretched[0] as number, gray((3 * 255 + 3 * 100 + 100) / 7), 1e-5);
    near(stretched[1] as number, gray((100 + 3 * 100 + 3 * 255) / 7), 1e-5);

    const one = await openDataset(dir, { validationFraction: 0, image: { size: [1, 1], channels: 3 } });
    assert.deepEqual((await collect(one.train.batches(2))).x.slice(3), [0.5, 0.5, 0.5]);
  });

  it('converts colour to gray and gray to colour, and applies mean/std normalisation', async () => {
    const dir = join(tmp.dir, 'channels');
    writeFile(join(dir, 'train', 'a', 'gray.png'), pngBytes(2, 2, solid(100, 100, 100), true));
    writeFile(join(dir, 'train', 'b', 'red.png'), pngBytes(2, 2, solid(255, 0, 0)));
    writeFile(join(dir, 'test', 'a', 'gray.png'), pngBytes(2, 2, solid(100, 100, 100), true));
    const gray = await openDataset(dir, { validationFraction: 0 });
    assert.deepEqual(gray.inputShape, [2, 2, 1]); // the first image is a grayscale PNG
    const grayX = (await collect(gray.train.batches(2))).x;
    near(grayX[0] as number, 100 / 255, 1e-6);
    near(grayX[4] as number, 0.299, 1e-6);
    const color = await openDataset(dir, { validationFraction: 0, image: { channels: 3 }, normalization: IMAGENET_NORMALIZATION });
    assert.deepEqual(color.inputShape, [2, 2, 3]);
    const colorX = (await collect(color.train.batches(2))).x;
    near(colorX[0] as number, (100 / 255 - 0.485) / 0.229, 1e-5);
    near(colorX[1] as number, (100 / 255 - 0.456) / 0.224, 1e-5);
    near(colorX[12] as number, (1 - 0.485) / 0.229, 1e-5);
    near(colorX[14] as number, (0 - 0.406) / 0.225, 1e-5);
  });

  it('normalises for Keras applications: caffe is BGR minus the ImageNet mean in bytes, tf is [-1, 1]', async () => {
    const dir = join(tmp.dir, 'keras');
    writeFile(join(dir, 'train', 'x', 'a.png'), pngBytes(2, 2, solid(255, 10, 0)));
    writeFile(join(dir, 'test', 'x', 'a.png'), pngBytes(2, 2, solid(255, 10, 0)));
    const caffe = await collect((await openDataset(dir, { image: { size: [2, 2] }, normalization: CAFFE_NORMALIZATION, validationFraction: 0 })).train.batches(1));
    [0 - 103.939, 10 - 116.779, 255 - 123.68].forEach((expected, c) => near(caffe.x[c] as number, expected, 1e-3));
    const signed = await collect((await openDataset(dir, { image: { size: [2, 2] }, normalization: SIGNED_UNIT_NORMALIZATION, validationFraction: 0 })).train.batches(1));
    [1, 10 / 127.5 - 1, -1].forEach((expected, c) => near(signed.x[c] as number, expected, 1e-6));
    // The service's path for one uploaded image reorders the same way.
    const one = imageBytesToInput(pngBytes(2, 2, solid(255, 10, 0)), 'upload', [2, 2, 3], CAFFE_NORMALIZATION);
    near(one[2] as number, 255 - 123.68, 1e-3);
  });

  it('decodes lazily and names a corrupt image when its batch is read', async () => {
    const dir = join(tmp.dir, 'corrupt');
    writeFile(join(dir, 'train', 'a', '1.png'), pngBytes(2, 2, solid(1, 2, 3)));
    writeFile(join(dir, 'train', 'a', '2.png'), pngBytes(2, 2, solid(1, 2, 3)));
    const bad = writeFile(join(dir, 'train', 'b', 'broken.jpg'), Buffer.concat([jpegBytes(8, 8, solid(9, 9, 9)).subarray(0, 200), Buffer.from('garbage')]));
    const notImage = writeFile(join(dir, 'test', 'a', 'fake.png'), 'hello');
    const dataset = await openDataset(dir, { validationFraction: 0 });
    const batches = dataset.train.batches(2)[Symbol.asyncIterator]();
    assert.equal((await batches.next()).value?.count, 2);
    await assert.rejects(batches.next(), (error: Error) => {
      assert.equal(error.name, 'DatasetError');
      assert.ok(error.message.startsWith(`${bad}: cannot decode the image (`), error.message);
      return true;
    });
    await assert.rejects(collect(dataset.test.batches(1)), { message: `${notImage}: not a JPEG or PNG file (it starts with bytes 68 65 6c 6c)` });
  });

  it('holds out validation from train when there is no val/, and rejects unknown test classes', async () => {
    const dir = join(tmp.dir, 'holdout');
    for (let i = 0; i < 10; i++) writeFile(join(dir, 'train', i < 6 ? 'a' : 'b', `${i}.png`), pngBytes(2, 2, solid(i, i, i)));
    writeFile(join(dir, 'test', 'a', 't.png'), pngBytes(2, 2, solid(0, 0, 0)));
    const dataset = await openDataset(dir, { validationFraction: 0.2, seed: 3 });
    assert.equal(dataset.train.count, 8);
    assert.equal(dataset.validation?.count, 2);
    assert.deepEqual(Array.from(await dataset.validation!.labels!()), [0, 1]);
    assert.equal(dataset.test.count, 1);
    writeFile(join(dir, 'test', 'c', 't.png'), pngBytes(2, 2, solid(0, 0, 0)));
    await assert.rejects(openDataset(dir), { message: `${join(dir, 'test', 'c')}: class "c" is not one of the training classes (a, b)` });
  });
});

describe('the file of an example', () => {
  it('names the image a test example came from, through holdouts, so eval can list mistakes by file', async () => {
    const root = join(tmp.dir, 'xrays');
    writeFile(join(root, 'train', 'NORMAL', 'n1.png'), pngBytes(4, 4, solid(0, 0, 0)));
    writeFile(join(root, 'train', 'PNEUMONIA', 'p1.png'), pngBytes(4, 4, solid(255, 255, 255)));
    writeFile(join(root, 'test', 'NORMAL', 'n2.png'), pngBytes(4, 4, solid(0, 0, 0)));
    writeFile(join(root, 'test', 'PNEUMONIA', 'p2.png'), pngBytes(4, 4, solid(255, 255, 255)));
    const dataset = await openDataset(root, { validationFraction: 0 });
    assert.deepEqual([0, 1].map((n) => dataset.test.fileOf?.(n)), [join(root, 'test', 'NORMAL', 'n2.png'), join(root, 'test', 'PNEUMONIA', 'p2.png')]);
    const held = await openDataset(root, { validationFraction: 0.5, seed: 1 });
    assert.match(held.validation!.fileOf!(0)!, /train\/(NORMAL\/n1|PNEUMONIA\/p1)\.png$/);
  });
});
