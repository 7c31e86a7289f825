#!/usr/bin/env node
// Rebuilds CIFAR-10 in its published binary layout (cifar-10-batches-bin/: data_batch_1..5.bin
// and test_batch.bin, each record a label byte then the R, G and B planes of 32×32; and
// batches.meta.txt), which the engine reads, from the JPEG copy in ../shared/data
// (cifar10-jpg.tar.gz: train/<class>/NNNN.jpg, test/<class>/NNNN.jpg). The GPU check carries the
// 20 MB JPEG archive, not the 180 MB binary, and runs this there. Classes are interleaved, so
// each training batch file holds every class. Node built-ins and jpeg-js only.
// Usage: node cifar-binary.mjs ARCHIVE OUT_DIR
import { Buffer } from 'node:buffer';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const jpeg = require('jpeg-js');
const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const PLANE = 32 * 32;

/** The regular files of a tar archive: name → contents. */
function* tarEntries(tar) {
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from, length) => header.subarray(from, from + length).toString('utf8').replace(/\0.*$/s, '').trim();
    const size = parseInt(field(124, 12) || '0', 8);
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
    const type = String.fromCharCode(header[156] || 48);
    if (type === '0' || type === '\0') yield [name.replace(/\/+/g, '/'), tar.subarray(at + 512, at + 512 + size)];
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

function record(label, bytes, where) {
  const { width, height, data } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  if (width !== 32 || height !== 32) throw new Error(`${where}: ${width}×${height}, not 32×32`);
  const out = Buffer.alloc(1 + 3 * PLANE);
  out[0] = label;
  for (let i = 0; i < PLANE; i++) {
    out[1 + i] = data[4 * i];
    out[1 + PLANE + i] = data[4 * i + 1];
    out[1 + 2 * PLANE + i] = data[4 * i + 2];
  }
  return out;
}

const [archive, outDir] = process.argv.slice(2);
if (!archive || !outDir) throw new Error('usage: node cifar-binary.mjs ARCHIVE OUT_DIR');
const split = { train: CLASSES.map(() => []), test: CLASSES.map(() => []) };
for (const [name, bytes] of tarEntries(gunzipSync(readFileSync(archive)))) {
  const match = /^(train|test)\/([a-z]+)\/(\d+)\.jpg$/.exec(name);
  if (!match) continue;
  const label = CLASSES.indexOf(match[2]);
  if (label < 0) throw new Error(`${archive}: ${name} names no CIFAR-10 class`);
  split[match[1]][label].push([Number(match[3]), record(label, bytes, `${archive}: ${name}`)]);
}
/** Round-robin over the classes, each in its file order. */
const interleave = (perClass) => {
  perClass.forEach((items) => items.sort((a, b) => a[0] - b[0]));
  const out = [];
  for (let i = 0; perClass.some((items) => i < items.length); i++) for (const items of perClass) if (i < items.length) out.push(items[i][1]);
  return out;
};
const train = interleave(split.train);
const test = interleave(split.test);
if (train.length !== 50000 || test.length !== 10000) throw new Error(`${archive}: ${train.length} training and ${test.length} test images, not 50,000 and 10,000`);
const folder = join(outDir, 'cifar-10-batches-bin');
mkdirSync(folder, { recursive: true });
for (let b = 0; b < 5; b++) writeFileSync(join(folder, `data_batch_${b + 1}.bin`), Buffer.concat(train.slice(b * 10000, (b + 1) * 10000)));
writeFileSync(join(folder, 'test_batch.bin'), Buffer.concat(test));
writeFileSync(join(folder, 'batches.meta.txt'), `${CLASSES.join('\n')}\n`);
console.log(`CIFAR-10: ${train.length} training and ${test.length} test images written to ${folder}`);
