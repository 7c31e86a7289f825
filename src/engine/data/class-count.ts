// How many classes a `data` line's dataset has, read from the listing alone: what the analyzer
// checks a model's head against before anything trains. No images are decoded and nothing is
// downloaded; a dataset not found here is left to the loader, which says where it looked.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { findKnownDataset } from './catalog';
import { IMAGE_FILE, VALIDATION_FOLDERS } from './image-names';
import { dataLocations, type Environment } from './locations';

export interface ClassCountOptions {
  dataDir?: string;
  cacheDir?: string;
  env?: Environment;
}

/** A counter for the datasets a model file names: its folder resolves relative paths. */
export function datasetClassCounter(modelFile: string, options: ClassCountOptions = {}): (source: string) => number | undefined {
  const baseDir = dirname(resolve(modelFile));
  return (source) => {
    const known = findKnownDataset(source);
    if (known) return known.classNames.length;
    for (const dir of candidateFolders(source, baseDir, options)) {
      const count = trainClassFolders(dir);
      if (count !== undefined) return count;
    }
    return undefined;
  };
}

function candidateFolders(source: string, baseDir: string, options: ClassCountOptions): string[] {
  if (isAbsolute(source) || source.startsWith('.') || source.startsWith('~') || /[\\/]/.test(source)) {
    return [resolve(baseDir, source.replace(/^~(?=$|[\\/])/, homedir()))];
  }
  return [...dataLocations(options).map((l) => join(l.dir, source)), join(baseDir, source)];
}

/**
 * How many images an epoch of an image folder trains on, from the listing: train/'s images less
 * the validation holdout when there is no val/ folder. For the time estimate before a first run
 * (which would otherwise assume the limit, 6,000, for a folder of 243 ants and bees).
 */
export function imageFolderTrainExamples(modelFile: string, source: string, holdoutFraction: number, options: ClassCountOptions = {}): number | undefined {
  if (findKnownDataset(source)) return undefined;
  for (const dir of candidateFolders(source, dirname(resolve(modelFile)), options)) {
    try {
      const train = join(dir, 'train');
      const classes = readdirSync(train, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
      const images = classes.reduce((sum, c) => sum + readdirSync(join(train, c.name)).filter((f) => IMAGE_FILE.test(f) && !f.startsWith('.')).length, 0);
      const hasValidation = VALIDATION_FOLDERS.some((name) => existsSync(join(dir, name)));
      return hasValidation ? images : images - Math.round(images * holdoutFraction);
    } catch {
      continue;
    }
  }
  return undefined;
}

/** The class folders of `dir/train/`, or undefined when `dir` is not an image folder. */
function trainClassFolders(dir: string): number | undefined {
  try {
    const train = join(dir, 'train');
    if (!statSync(train).isDirectory()) return undefined;
    const classes = readdirSync(train, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
    return classes.length > 0 ? classes.length : undefined;
  } catch {
    return undefined;
  }
}
