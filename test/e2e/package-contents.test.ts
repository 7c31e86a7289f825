// The platform package the end-to-end suite installs holds Dawn's binary for its own platform
// and no other's, and the GPU path it needs (docs/extension.md, "Packaging").
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import yauzl from 'yauzl';
import { ensureVsix, platformTarget } from './harness/vsix';

const root = resolve(__dirname, '..', '..');

function entriesOf(zipFile: string): Promise<string[]> {
  return new Promise((done, fail) => {
    yauzl.open(zipFile, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return fail(openError ?? new Error(`cannot open ${zipFile}`));
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => done(names));
      zip.on('error', fail);
      zip.readEntry();
    });
  });
}

test(`the ${platformTarget} package holds only its own platform's Dawn, with the WebGPU backend`, { timeout: 600_000 }, async () => {
  const names = await entriesOf(ensureVsix(root, () => {}));
  const dawnFolders = new Set(names.map((n) => /node_modules\/webgpu\/dist\/([^/]+)\//.exec(n)?.[1]).filter((f): f is string => f !== undefined));
  assert.deepEqual([...dawnFolders], [platformTarget]);
  assert.ok(names.some((n) => n.endsWith(`node_modules/webgpu/dist/${platformTarget}/dawn.node`)), 'dawn.node is in the package');
  assert.ok(names.some((n) => n.endsWith('tf-backend-webgpu.node.js')), "tfjs-backend-webgpu's Node bundle is in the package");
});

test("the package holds the PyTorch training runtime (convlab train --engine pytorch runs it from there)", { timeout: 600_000 }, async () => {
  const names = await entriesOf(ensureVsix(root, () => {}));
  for (const file of ['__main__.py', 'loop.py', 'data.py', 'augment.py', 'checkpoints.py', 'distribution.py']) {
    assert.ok(names.some((n) => n.endsWith(`python/convlab_torch/train/${file}`)), `python/convlab_torch/train/${file} is in the package`);
  }
  assert.ok(names.some((n) => n.endsWith('python/convlab_torch/safetensors.py')), 'the runtime\'s safetensors module is in the package');
});
