import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { downloadFile, openDataset } from '../../src/engine/data';
import { serveFiles, temporaryDir } from '../fixtures/datasets';

const tmp = temporaryDir();
after(tmp.remove);

const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');
const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) % 251));
const repoRoot = resolve(__dirname, '..', '..');
const sharedData = resolve(repoRoot, '..', 'shared', 'data');

describe('downloads', () => {
  it('streams a file into place after checking its size and MD5, reporting progress', async () => {
    const server = await serveFiles({ '/files/blob.bin': body });
    try {
      const destination = join(tmp.dir, 'good', 'blob.bin');
      const progress: [number, number | undefined, string][] = [];
      await downloadFile(`${server.url}/files/blob.bin`, destination, { md5: md5(body), size: body.length, onProgress: (...args) => progress.push(args) });
      assert.deepEqual(readFileSync(destination), body);
      assert.deepEqual(readdirSync(join(tmp.dir, 'good')), ['blob.bin'], 'no temporary file is left');
      assert.ok(progress.length >= 1);
      assert.deepEqual(progress.at(-1), [body.length, body.length, 'blob.bin']);
      assert.ok(progress.every(([received], i) => i === 0 || received > (progress[i - 1]?.[0] ?? 0)));
    } finally {
      await server.close();
    }
  });

  it('leaves nothing behind on a bad checksum, a short body or an HTTP error', async () => {
    const server = await serveFiles({ '/blob.bin': body });
    const dir = join(tmp.dir, 'bad');
    const destination = join(dir, 'blob.bin');
    try {
      await assert.rejects(downloadFile(`${server.url}/blob.bin`, destination, { md5: '0'.repeat(32) }), {
        name: 'DatasetError',
        message: `${server.url}/blob.bin: MD5 checksum mismatch: expected ${'0'.repeat(32)}, got ${md5(body)} (200,000 bytes); the download is corrupt or the mirror changed, and nothing was saved`,
      });
      await assert.rejects(downloadFile(`${server.url}/blob.bin`, destination, { size: 1000 }), /received 200,000 bytes, expected 1,000; nothing was saved/);
      await assert.rejects(downloadFile(`${server.url}/missing.bin`, destination), /missing\.bin: HTTP 404/);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      await server.close();
    }
  });

  it('follows redirects', async () => {
    const server = await serveFiles({ '/real.bin': body }, (req, res) => {
      if (req.url !== '/moved.bin') return false;
      res.writeHead(302, { location: '/real.bin' }).end();
      return true;
    });
    try {
      const destination = join(tmp.dir, 'redirect', 'x.bin');
      await downloadFile(`${server.url}/moved.bin`, destination, { md5: md5(body) });
      assert.deepEqual(readFileSync(destination), body);
      assert.deepEqual(server.requests, ['/moved.bin', '/real.bin']);
    } finally {
      await server.close();
    }
  });

  it('rejects a download of a named dataset whose checksum does not match, saving nothing', async () => {
    const files = Object.fromEntries(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => [`/fashion-mnist/${f}`, Buffer.from('not the real file')]));
    const server = await serveFiles(files);
    const cacheDir = join(tmp.dir, 'bad-cache');
    try {
      await assert.rejects(openDataset('fashion-mnist', { cacheDir, env: {}, mirror: `${server.url}/` }), {
        name: 'DatasetError',
        message: `${server.url}/fashion-mnist/train-images-idx3-ubyte.gz: received 17 bytes, expected 26,421,880; nothing was saved`,
      });
      // The published size with the wrong bytes fails on the MD5.
      files['/fashion-mnist/train-images-idx3-ubyte.gz'] = Buffer.alloc(26_421_880);
      await assert.rejects(openDataset('fashion-mnist', { cacheDir, env: {}, mirror: `${server.url}/` }), {
        name: 'DatasetError',
        message: new RegExp(`MD5 checksum mismatch: expected 8d4fb7e6c68d591d4c3dfef9ec88bf0d, got ${md5(Buffer.alloc(26_421_880))}`),
      });
      assert.deepEqual(readdirSync(join(cacheDir, 'fashion-mnist')), []);
    } finally {
      await server.close();
    }
  });

  it('explains what to do when the mirror cannot be reached', async () => {
    const server = await serveFiles({});
    const closedUrl = server.url;
    await server.close();
    await assert.rejects(openDataset('fashion-mnist', { cacheDir: join(tmp.dir, 'offline'), env: { CONVLAB_MIRROR: closedUrl } }), (error: Error) => {
      assert.match(error.message, /^fashion-mnist is not on this machine and could not be downloaded \(.*ECONNREFUSED.*\)\./);
      assert.match(error.message, /Put these 4 files \(from http:\/\/127\.0\.0\.1:\d+\/fashion-mnist\/\) in .*offline\/fashion-mnist:\n {2}train-images-idx3-ubyte\.gz\n/);
      assert.match(error.message, /--data-dir or the CONVLAB_DATA_DIR/);
      return true;
    });
  });

  it('downloads the real Fashion-MNIST files from a local mirror into the cache', { skip: existsSync(join(sharedData, 'fashion-mnist')) ? false : `no ${sharedData}/fashion-mnist` }, async () => {
    const names = readdirSync(join(sharedData, 'fashion-mnist'));
    const server = await serveFiles(Object.fromEntries(names.map((name) => [`/fashion-mnist/${name}`, readFileSync(join(sharedData, 'fashion-mnist', name))])));
    const cacheDir = join(tmp.dir, 'good-cache');
    try {
      const seen = new Set<string>();
      const dataset = await openDataset('fashion-mnist', { cacheDir, env: {}, mirror: server.url, onProgress: (_received, _total, file) => seen.add(file) });
      assert.equal(dataset.train.count + (dataset.validation?.count ?? 0), 60_000);
      assert.equal(dataset.test.count, 10_000);
      assert.match(dataset.source, /\(downloaded from http:\/\/127\.0\.0\.1:\d+\/fashion-mnist\/\)$/);
      assert.equal(seen.size, 4);
      assert.deepEqual(readdirSync(join(cacheDir, 'fashion-mnist')).sort(), [...names].sort());
      // A second open reads the cache without asking the server.
      const requests = server.requests.length;
      assert.match((await openDataset('fashion-mnist', { cacheDir, env: {}, mirror: server.url })).source, /\(the download cache\)$/);
      assert.equal(server.requests.length, requests);
    } finally {
      await server.close();
    }
  });
});
