// Image folders in torchvision's ImageFolder layout: ROOT/train/<class>/*.jpg|jpeg|png, with
// optional ROOT/val/<class>/ and ROOT/test/<class>/. Only the listing is read up front; images
// are decoded batch by batch, so memory stays bounded whatever the folder's size.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { decodeImage, type DecodedImage } from './decode';
import { IMAGE_FILE, VALIDATION_FOLDERS } from './image-names';
import { channelAffine, type ChannelAffine, type Normalization } from './normalize';
import { cropBox, resample, toGray, type ResizeMode } from './resize';
import { SourceSplit, type ExampleSource } from './split';
import { DatasetError, type Split } from './types';

export interface ImageFolderOptions {
  /** [height, width] of the examples; the first training image's size when left out. */
  size?: [number, number];
  /** 'center-crop' (default) scales the shorter side to fit and cuts the middle; 'stretch' ignores the aspect ratio. */
  resize?: ResizeMode;
  /** 1 converts colour to gray, 3 repeats gray; the first training image's channels when left out. */
  channels?: 1 | 3;
}

const READ_CONCURRENCY = 16;

export interface ImageFolderData {
  inputShape: [number, number, number];
  classNames: string[];
  train: SourceSplit;
  /** From val/ (or valid/, validation/), when there is one. */
  validation?: SourceSplit;
  /** From test/, when there is one. */
  test?: SourceSplit;
  /** sha256 of the listing (paths and sizes): hashing every image would read the whole folder up front. */
  checksum: string;
}

/** Whether `root` has a train/ folder of class folders. */
export function isImageFolder(root: string): boolean {
  const train = join(root, 'train');
  return existsSync(train) && statSync(train).isDirectory();
}

export async function loadImageFolder(root: string, options: ImageFolderOptions, normalization: Normalization): Promise<ImageFolderData> {
  if (options.size && !options.size.every((side) => Number.isInteger(side) && side > 0)) {
    throw new RangeError(`image size must be two positive whole numbers, got ${options.size.join('×')}`);
  }
  const train = await listClasses(join(root, 'train'));
  const classNames = train.classNames;
  const validationDir = VALIDATION_FOLDERS.map((name) => join(root, name)).find((dir) => existsSync(dir));
  const testDir = join(root, 'test');
  const validation = validationDir ? await listClasses(validationDir, classNames) : undefined;
  const test = existsSync(testDir) ? await listClasses(testDir, classNames) : undefined;

  // Defaults come from the first training image, the only one decoded up front.
  const firstPath = train.files[0] as string;
  const first = options.size && options.channels ? undefined : decodeImage(firstPath, await readFile(firstPath));
  const [height, width] = options.size ?? [first?.height ?? 0, first?.width ?? 0];
  const channels = options.channels ?? first?.channels ?? 3;
  const geometry: Geometry = { height, width, channels, resize: options.resize ?? 'center-crop' };
  const affine = channelAffine(normalization, geometry.channels);
  const split = (listing: Listing): SourceSplit => new SourceSplit(new ImageFileSource(listing.files, listing.labels, geometry, affine));
  return {
    inputShape: [height, width, geometry.channels],
    classNames,
    train: split(train),
    ...(validation ? { validation: split(validation) } : {}),
    ...(test ? { test: split(test) } : {}),
    checksum: await listingChecksum(root, [train, validation, test]),
  };
}

/**
 * Labelled images to evaluate on: `dir/<class>/*.jpg` (or its `test/` folder), labelled by the
 * run's class names, at the model's input size. A class the run does not know is an error
 * naming the folder; a class with no folder here has no examples.
 */
export async function loadLabelledImages(dir: string, classNames: string[], shape: [number, number, number], normalization: Normalization): Promise<Split> {
  const root = existsSync(join(dir, 'test')) ? join(dir, 'test') : dir;
  const listing = await listClasses(root, classNames);
  if (listing.files.length === 0) throw new DatasetError(`${root}: no .jpg, .jpeg or .png files in its class folders`, root);
  const [height, width, channels] = shape;
  if (channels !== 1 && channels !== 3) throw new DatasetError(`${root}: a model input of ${channels} channels cannot take images`, root);
  const geometry: Geometry = { height, width, channels, resize: 'center-crop' };
  return new SourceSplit(new ImageFileSource(listing.files, listing.labels, geometry, channelAffine(normalization, channels)));
}

interface Listing {
  files: string[];
  labels: Int32Array;
  classNames: string[];
}

/** Class folders sorted by code point, as Python's sorted() orders them for torchvision. */
async function listClasses(dir: string, knownClasses?: string[]): Promise<Listing> {
  const entries = await readdir(dir, { withFileTypes: true });
  const classNames = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort(byCodePoint);
  if (classNames.length === 0) throw new DatasetError(`${dir}: no class folders; expected ${dir}/<class>/<image>.jpg`, dir);
  const files: string[] = [];
  const labels: number[] = [];
  for (const name of classNames) {
    const label = knownClasses ? knownClasses.indexOf(name) : classNames.indexOf(name);
    if (label < 0) {
      throw new DatasetError(`${join(dir, name)}: class "${name}" is not one of the training classes (${knownClasses?.join(', ')})`, join(dir, name));
    }
    const images = (await readdir(join(dir, name))).filter((f) => IMAGE_FILE.test(f) && !f.startsWith('.')).sort(byCodePoint);
    if (images.length === 0 && !knownClasses) throw new DatasetError(`${join(dir, name)}: no .jpg, .jpeg or .png files`, join(dir, name));
    for (const image of images) {
      files.push(join(dir, name, image));
      labels.push(label);
    }
  }
  return { files, labels: Int32Array.from(labels), classNames: knownClasses ?? classNames };
}

export interface Geometry {
  height: number;
  width: number;
  channels: 1 | 3;
  resize: ResizeMode;
}

/** Images decoded batch by batch from files, or from the members of an archive held in memory. */
export class ImageFileSource implements ExampleSource {
  readonly exampleLength: number;

  constructor(
    private readonly files: string[],
    readonly labels: Int32Array,
    private readonly geometry: Geometry,
    private readonly affine: ChannelAffine,
    private readonly read: (file: string) => Promise<Buffer> = (file) => readFile(file),
  ) {
    this.exampleLength = geometry.height * geometry.width * geometry.channels;
  }

  get count(): number {
    return this.files.length;
  }

  fileOf(index: number): string | undefined {
    return this.files[index];
  }

  async write(indices: Int32Array, out: Float32Array): Promise<void> {
    // Reads overlap; decoding is synchronous JavaScript, one image at a time.
    const paths = Array.from(indices, (i) => this.files[i] as string);
    const contents = await mapLimited(paths, READ_CONCURRENCY, this.read);
    contents.forEach((bytes, k) => {
      const path = paths[k] as string;
      this.writeExample(decodeImage(path, bytes), out, k * this.exampleLength);
    });
  }

  private writeExample(image: DecodedImage, out: Float32Array, at: number): void {
    const { height, width, channels, resize } = this.geometry;
    const { scale, offset, source: from } = this.affine;
    // Convert colour to gray before resampling (a third of the work), and gray to colour after.
    const source = channels === 1 && image.channels === 3 ? toGray(image.data, image.width * image.height) : image.data;
    const sourceChannels = channels === 1 ? 1 : image.channels;
    const box = cropBox(image.width, image.height, width, height, resize);
    const resized = resample(source, image.width, image.height, sourceChannels, box, width, height);
    const pixels = height * width;
    for (let p = 0; p < pixels; p++) {
      for (let c = 0; c < channels; c++) {
        const value = resized[sourceChannels === 1 ? p : p * 3 + (from[c] as number)] as number;
        out[at + p * channels + c] = value * (scale[c] as number) + (offset[c] as number);
      }
    }
  }
}

async function listingChecksum(root: string, listings: (Listing | undefined)[]): Promise<string> {
  const hash = createHash('sha256');
  for (const listing of listings) {
    if (!listing) continue;
    const sizes = await mapLimited(listing.files, READ_CONCURRENCY, async (file) => (await stat(file)).size);
    listing.files.forEach((file, i) => hash.update(`${relative(root, file).split('\\').join('/')} ${sizes[i]}\n`));
  }
  return hash.digest('hex');
}

export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Like Promise.all over `items`, with at most `limit` calls in flight (open files are limited). */
async function mapLimited<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
