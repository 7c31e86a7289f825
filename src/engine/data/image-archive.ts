// Image folders packed as people download them: a .tar.gz, .tgz, .tar or .zip holding
// train/<class>/*.jpg (optionally under one top folder, with val/ and test/ beside it). The
// images are read into memory once, compressed as they are, and decoded batch by batch; nothing
// is written anywhere, so a read-only data folder works.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import { decodeImage } from './decode';
import { byCodePoint, ImageFileSource, type Geometry, type ImageFolderData, type ImageFolderOptions } from './image-folder';
import { IMAGE_FILE, VALIDATION_FOLDERS } from './image-names';
import { channelAffine, type Normalization } from './normalize';
import { SourceSplit } from './split';
import { readTar } from './tar';
import { DatasetError } from './types';

export const ARCHIVE_FILE = /\.(tar\.gz|tgz|tar|zip)$/i;

/** Image members by their path inside the archive. */
type Members = Map<string, Buffer>;

interface Listing {
  files: string[];
  labels: Int32Array;
  classNames: string[];
}

export async function loadImageArchive(archive: string, options: ImageFolderOptions, normalization: Normalization): Promise<ImageFolderData> {
  const members = await readImageMembers(archive);
  const root = findRoot(archive, members);
  const folders = splitFolders(members, root);
  const trainFolder = folders.get('train')!;
  const train = listing(trainFolder);
  const validationName = VALIDATION_FOLDERS.find((name) => folders.has(name));
  const validation = validationName ? listing(folders.get(validationName)!, train.classNames, `${archive}:${root}${validationName}/`) : undefined;
  const test = folders.has('test') ? listing(folders.get('test')!, train.classNames, `${archive}:${root}test/`) : undefined;

  const firstPath = train.files[0]!;
  const first = options.size && options.channels ? undefined : decodeImage(`${archive}:${firstPath}`, members.get(firstPath)!);
  const [height, width] = options.size ?? [first?.height ?? 0, first?.width ?? 0];
  const geometry: Geometry = { height, width, channels: options.channels ?? first?.channels ?? 3, resize: options.resize ?? 'center-crop' };
  const affine = channelAffine(normalization, geometry.channels);
  const read = (file: string): Promise<Buffer> => Promise.resolve(members.get(file)!);
  const split = (l: Listing): SourceSplit => new SourceSplit(new ImageFileSource(l.files, l.labels, geometry, affine, read));
  const hash = createHash('sha256');
  for (const l of [train, validation, test]) l?.files.forEach((file) => hash.update(`${file.slice(root.length)} ${members.get(file)!.length}\n`));
  return {
    inputShape: [height, width, geometry.channels], classNames: train.classNames, train: split(train),
    ...(validation ? { validation: split(validation) } : {}), ...(test ? { test: split(test) } : {}), checksum: hash.digest('hex'),
  };
}

/** The image members of an archive, with hidden files and macOS' __MACOSX/ copies left out. */
export async function readImageMembers(archive: string): Promise<Members> {
  const members: Members = new Map();
  const wanted = (name: string): boolean => IMAGE_FILE.test(name) && !name.split('/').some((part) => part.startsWith('.') || part === '__MACOSX');
  try {
    if (/\.zip$/i.test(archive)) await readZip(archive, wanted, members);
    else {
      const file = createReadStream(archive);
      const stream: Readable = /\.(tar\.gz|tgz)$/i.test(archive) ? file.pipe(createGunzip()) : file;
      file.on('error', (error) => stream.destroy(error));
      await readTar(archive, stream, wanted, (name, body) => void members.set(name, body));
    }
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(`${archive}: cannot read the archive (${(error as Error).message})`, archive);
  }
  return members;
}

function readZip(archive: string, wanted: (name: string) => boolean, members: Members): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(archive, { lazyEntries: true }, (openError, zip) => {
      if (openError) return reject(openError);
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/') || !wanted(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            members.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** The folder holding train/: '' or one top folder such as 'hymenoptera_data/'. */
function findRoot(archive: string, members: Members): string {
  for (const name of members.keys()) {
    const parts = name.split('/');
    const at = parts.indexOf('train');
    if (at >= 0 && at <= 1 && parts.length === at + 3) return parts.slice(0, at).map((p) => `${p}/`).join('');
  }
  const some = [...members.keys()].slice(0, 3).join(', ');
  throw new DatasetError(
    `${archive}: no train/<class>/<image> inside (${members.size === 0 ? 'no .jpg, .jpeg or .png members' : `members such as ${some}`}); ` +
      'an image-folder archive holds train/<class>/*.jpg, optionally under one top folder, with optional val/ and test/',
    archive,
  );
}

/** Members of each split folder under the root, by split name. */
function splitFolders(members: Members, root: string): Map<string, { prefix: string; files: string[] }> {
  const folders = new Map<string, { prefix: string; files: string[] }>();
  for (const name of members.keys()) {
    if (!name.startsWith(root)) continue;
    const parts = name.slice(root.length).split('/');
    if (parts.length !== 3) continue;
    const split = parts[0]!;
    const folder = folders.get(split) ?? { prefix: `${root}${split}/`, files: [] };
    folder.files.push(name);
    folders.set(split, folder);
  }
  return folders;
}

/** Class folders sorted by code point, as the on-disk image folders are. */
function listing(folder: { prefix: string; files: string[] }, knownClasses?: string[], where?: string): Listing {
  const byClass = new Map<string, string[]>();
  for (const file of folder.files) {
    const cls = file.slice(folder.prefix.length).split('/')[0]!;
    const list = byClass.get(cls);
    if (list) list.push(file);
    else byClass.set(cls, [file]);
  }
  const classNames = knownClasses ?? [...byClass.keys()].sort(byCodePoint);
  const files: string[] = [];
  const labels: number[] = [];
  for (const cls of [...byClass.keys()].sort(byCodePoint)) {
    const label = classNames.indexOf(cls);
    if (label < 0) throw new DatasetError(`${where}${cls}: class "${cls}" is not one of the training classes (${classNames.join(', ')})`, where);
    for (const file of byClass.get(cls)!.sort(byCodePoint)) {
      files.push(file);
      labels.push(label);
    }
  }
  return { files, labels: Int32Array.from(labels), classNames };
}
