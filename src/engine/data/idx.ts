// The IDX format of MNIST and Fashion-MNIST: a magic number (0, 0, type 0x08 = unsigned byte,
// rank), one big-endian uint32 per dimension, then the values.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ChecksumBuilder, readDataFile, type FileContents } from './files';
import type { Normalization } from './normalize';
import { ByteSource, SourceSplit } from './split';
import { DatasetError, formatCount } from './types';

/** The four published files, as named by every mirror; each may also be gzipped (`.gz`). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

type IdxRole = keyof typeof IDX_FILES;

export interface IdxTensor {
  dims: number[];
  values: Uint8Array;
  offsetsIn: FileContents['offsetsIn'];
}

/** Finds the four files in `dir`, raw or gzipped; Kaggle's copies spell `-idx` as `.idx`. */
export function findIdxFiles(dir: string): { paths: Partial<Record<IdxRole, string>>; missing: string[] } {
  const paths: Partial<Record<IdxRole, string>> = {};
  const missing: string[] = [];
  for (const [role, name] of Object.entries(IDX_FILES) as [IdxRole, string][]) {
    const spellings = [name, name.replace('-idx', '.idx')].flatMap((n) => [n, `${n}.gz`]);
    const found = spellings.map((n) => join(dir, n)).find((p) => existsSync(p));
    if (found) paths[role] = found;
    else missing.push(name);
  }
  return { paths, missing };
}

export function parseIdx(path: string, contents: FileContents, rank: 1 | 3, what: 'labels' | 'pixels'): IdxTensor {
  const { bytes, offsetsIn } = contents;
  const fail = (offset: number, problem: string, detail: string): DatasetError => DatasetError.at(path, offset, problem, detail, offsetsIn);
  if (bytes.length < 4) throw fail(bytes.length, 'truncated', `expected a 4-byte magic number, found ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const expected = 0x0800 + rank;
  if (magic !== expected) {
    const kind = rank === 3 ? 'images' : 'labels';
    throw fail(0, 'bad magic number', `expected ${hex(expected)} (IDX ${kind}: unsigned bytes, ${rank} dimension${rank > 1 ? 's' : ''}), found ${hex(magic)}${describeMagic(magic)}`);
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) throw fail(bytes.length, 'truncated', `expected a ${headerLength}-byte header, found ${bytes.length} bytes`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  if (dims.slice(1).some((d) => d === 0)) throw fail(8, 'bad header', `dimensions ${dims.join('×')} include a zero`);
  const payload = dims.reduce((a, b) => a * b, 1);
  const found = bytes.length - headerLength;
  if (found < payload) {
    throw fail(bytes.length, 'truncated', `expected ${formatCount(payload)} bytes of ${what} after the ${headerLength}-byte header, found ${formatCount(found)}`);
  }
  if (found > payload) {
    throw fail(headerLength + payload, 'unexpected data', `the header promises ${formatCount(dims[0] ?? 0)} items (${formatCount(payload)} bytes) but ${formatCount(found - payload)} more bytes follow`);
  }
  if (contents.gzipTruncated) throw new DatasetError(`${path}: the gzip stream ends early although the data is complete; the file may be damaged`, path);
  return { dims, values: bytes.subarray(headerLength), offsetsIn };
}

export interface IdxData {
  inputShape: [number, number, number];
  train: SourceSplit;
  test: SourceSplit;
  checksum: string;
}

export async function loadIdxFolder(dir: string, classCount: number, normalization: Normalization): Promise<IdxData> {
  const { paths, missing } = findIdxFiles(dir);
  if (!paths.trainImages || !paths.trainLabels || !paths.testImages || !paths.testLabels) {
    throw new DatasetError(`${dir}: missing ${missing.map((m) => `${m}(.gz)`).join(', ')}`, dir);
  }
  const checksum = new ChecksumBuilder();
  const read = async (path: string, rank: 1 | 3, what: 'labels' | 'pixels'): Promise<IdxTensor> => {
    const contents = await readDataFile(path);
    checksum.add(basename(path), contents.sha256);
    return parseIdx(path, contents, rank, what);
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    read(paths.trainImages, 3, 'pixels'),
    read(paths.trainLabels, 1, 'labels'),
    read(paths.testImages, 3, 'pixels'),
    read(paths.testLabels, 1, 'labels'),
  ]);
  const [, rows = 0, cols = 0] = trainImages.dims;
  const [, testRows, testCols] = testImages.dims;
  if (testRows !== rows || testCols !== cols) {
    throw new DatasetError(`${paths.testImages}: images are ${testRows}×${testCols} but the training images are ${rows}×${cols}`, paths.testImages);
  }
  const split = (images: IdxTensor, labels: IdxTensor, imagesPath: string, labelsPath: string): SourceSplit => {
    const count = images.dims[0] ?? 0;
    if (labels.dims[0] !== count) {
      throw new DatasetError(`${labelsPath}: ${formatCount(labels.dims[0] ?? 0)} labels for the ${formatCount(count)} images of ${imagesPath}`, labelsPath);
    }
    return new SourceSplit(new ByteSource(images.values, checkedLabels(labelsPath, labels, classCount), rows * cols, 1, normalization));
  };
  return {
    inputShape: [rows, cols, 1],
    train: split(trainImages, trainLabels, paths.trainImages, paths.trainLabels),
    test: split(testImages, testLabels, paths.testImages, paths.testLabels),
    checksum: checksum.digest(),
  };
}

function checkedLabels(path: string, tensor: IdxTensor, classCount: number): Int32Array {
  const labels = Int32Array.from(tensor.values);
  const bad = labels.findIndex((label) => label >= classCount);
  if (bad >= 0) {
    throw DatasetError.at(path, 8 + bad, 'bad label', `${labels[bad]} is not one of the ${classCount} classes (0 to ${classCount - 1})`, tensor.offsetsIn);
  }
  return labels;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function describeMagic(magic: number): string {
  if (magic === 0x0801) return ' (an IDX labels file: are the file names swapped?)';
  if (magic === 0x0803) return ' (an IDX images file: are the file names swapped?)';
  if (magic >>> 16 === 0x1f8b) return ' (gzip data inside a gzip file?)';
  return '';
}
