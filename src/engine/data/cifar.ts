// CIFAR-10's binary version: records of 1 label byte + 3,072 pixel bytes (the red plane, then
// green, then blue, each 32×32 row-major), in `data_batch_1..5.bin` and `test_batch.bin`, either
// inside `cifar-10-binary.tar.gz` or extracted into `cifar-10-batches-bin/`.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ChecksumBuilder, readDataFile, streamDataFile } from './files';
import type { Normalization } from './normalize';
import { ByteSource, SourceSplit } from './split';
import { readTar } from './tar';
import { DatasetError, formatCount } from './types';

export const CIFAR_ARCHIVE = 'cifar-10-binary.tar.gz';
export const CIFAR_FOLDER = 'cifar-10-batches-bin';
export const CIFAR_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR_TEST_FILE = 'test_batch.bin';
const META_FILE = 'batches.meta.txt';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;

export interface CifarData {
  inputShape: [number, number, number];
  train: SourceSplit;
  test: SourceSplit;
  classNames: string[];
  checksum: string;
  /** The archive or folder the records came from. */
  source: string;
}

interface Records {
  path: string;
  pixels: Uint8Array; // NHWC
  labels: Int32Array;
}

/** Where a CIFAR binary copy sits under `dir`, if one does: the archive, or the folder of batches. */
export function findCifarBinary(dir: string): string | undefined {
  if (basename(dir) === CIFAR_ARCHIVE && existsSync(dir)) return dir;
  const candidates = [join(dir, CIFAR_ARCHIVE), join(dir, CIFAR_FOLDER), dir];
  return candidates.find((p) => (p.endsWith(CIFAR_ARCHIVE) ? existsSync(p) : existsSync(join(p, CIFAR_TEST_FILE))));
}

/** Reads the archive or folder that `findCifarBinary` returned. */
export async function loadCifarBinary(location: string, normalization: Normalization): Promise<CifarData> {
  const files = new Map<string, Records>();
  const checksum = new ChecksumBuilder();
  let metaText: string | undefined;
  const wanted = new Set([...CIFAR_TRAIN_FILES, CIFAR_TEST_FILE]);

  if (location.endsWith(CIFAR_ARCHIVE)) {
    const { chunks, digest } = streamDataFile(location);
    await readTar(
      location,
      chunks,
      (name) => wanted.has(basename(name)) || basename(name) === META_FILE,
      (name, body) => {
        if (basename(name) === META_FILE) metaText = body.toString('utf8');
        else files.set(basename(name), parseCifarRecords(`${location}:${name}`, body));
      },
    );
    checksum.add(CIFAR_ARCHIVE, digest());
  } else {
    await Promise.all(
      [...wanted].map(async (name) => {
        const path = join(location, name);
        if (!existsSync(path)) return;
        const contents = await readDataFile(path);
        checksum.add(name, contents.sha256);
        files.set(name, parseCifarRecords(path, contents.bytes));
      }),
    );
    const metaPath = join(location, META_FILE);
    if (existsSync(metaPath)) metaText = Buffer.from((await readDataFile(metaPath)).bytes).toString('utf8');
  }

  const missing = [...wanted].filter((name) => !files.has(name));
  if (missing.length > 0) throw new DatasetError(`${location}: missing ${missing.join(', ')}`, location);
  const classNames = metaText ? parseMeta(metaText) : CIFAR10_CLASSES;
  const split = (names: string[]): SourceSplit => {
    const parts = names.map((name) => files.get(name) as Records);
    for (const part of parts) checkLabels(part.path, part.labels, classNames.length);
    const records = concat(parts);
    return new SourceSplit(new ByteSource(records.pixels, records.labels, 3 * PLANE, 3, normalization));
  };
  return {
    inputShape: [SIDE, SIDE, 3],
    train: split(CIFAR_TRAIN_FILES), test: split([CIFAR_TEST_FILE]), classNames, checksum: checksum.digest(), source: location };
}

/** Planar records to NHWC bytes. `path` names the file (or archive:member) in errors. */
export function parseCifarRecords(path: string, bytes: Uint8Array): Records {
  const count = Math.floor(bytes.length / RECORD);
  if (bytes.length === 0) throw new DatasetError(`${path}: empty file, expected records of ${formatCount(RECORD)} bytes`, path, 0);
  if (bytes.length % RECORD !== 0) {
    const start = count * RECORD;
    throw DatasetError.at(path, bytes.length, 'truncated', `record ${formatCount(count + 1)} starts at byte ${formatCount(start)} and has ${formatCount(bytes.length - start)} of its ${formatCount(RECORD)} bytes (1 label byte + 3,072 pixel bytes)`);
  }
  const pixels = new Uint8Array(count * 3 * PLANE);
  const labels = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    const base = r * RECORD;
    labels[r] = bytes[base] as number;
    const out = r * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      pixels[out + 3 * p] = bytes[base + 1 + p] as number;
      pixels[out + 3 * p + 1] = bytes[base + 1 + PLANE + p] as number;
      pixels[out + 3 * p + 2] = bytes[base + 1 + 2 * PLANE + p] as number;
    }
  }
  return { path, pixels, labels };
}

function checkLabels(path: string, labels: Int32Array, classCount: number): void {
  const bad = labels.findIndex((label) => label >= classCount);
  if (bad >= 0) throw DatasetError.at(path, bad * RECORD, 'bad label', `${labels[bad]} is not one of the ${classCount} classes; is this CIFAR-100 or a corrupt file?`);
}

function parseMeta(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
}

function concat(parts: Records[]): Omit<Records, 'path'> {
  if (parts.length === 1 && parts[0]) return parts[0];
  const pixels = new Uint8Array(parts.reduce((n, p) => n + p.pixels.length, 0));
  const labels = new Int32Array(parts.reduce((n, p) => n + p.labels.length, 0));
  let pixelAt = 0;
  let labelAt = 0;
  for (const part of parts) {
    pixels.set(part.pixels, pixelAt);
    labels.set(part.labels, labelAt);
    pixelAt += part.pixels.length;
    labelAt += part.labels.length;
  }
  return { pixels, labels };
}
