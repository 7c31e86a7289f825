#!/usr/bin/env node
// Rebuilds samples/backbones/mobilenet-v2-nsfwjs/ from the npm package nsfwjs@4.3.0, which ships
// its MobileNetV2 as JavaScript modules wrapping a TensorFlow.js layers model: the model.json
// object and the weight shard as base64. This writes them back out as the plain model.json and
// weights file that TensorFlow.js's converter makes, byte for byte the weights nsfwjs ships.
// Usage: node scripts/backbones/nsfwjs-mobilenet-v2.mjs   (needs the npm registry)
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'nsfwjs@4.3.0';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'samples', 'backbones', 'mobilenet-v2-nsfwjs');
const work = mkdtempSync(join(tmpdir(), 'nsfwjs-'));
try {
  execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('tar', ['xzf', `${PACKAGE.replace('@', '-')}.tgz`], { cwd: work });
  const models = join(work, 'package', 'dist', 'models', 'mobilenet_v2');
  const require = createRequire(join(models, 'x.js'));
  const model = require('./model.min.js');
  const shards = model.weightsManifest.flatMap((group) => group.paths);
  const bytes = shards.map((path) => Buffer.from(String(require(`./${path}.min.js`)), 'base64'));
  mkdirSync(out, { recursive: true });
  const names = shards.map((path) => `${path}.bin`);
  model.weightsManifest = model.weightsManifest.map((group) => ({ ...group, paths: group.paths.map((p) => `${p}.bin`) }));
  writeFileSync(join(out, 'model.json'), `${JSON.stringify(model)}\n`);
  bytes.forEach((b, i) => writeFileSync(join(out, names[i]), b));
  writeFileSync(join(out, 'LICENSE'), readFileSync(join(work, 'package', 'LICENSE')));
  for (const file of ['model.json', ...names]) {
    console.log(`${createHash('sha256').update(readFileSync(join(out, file))).digest('hex')}  ${file}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
