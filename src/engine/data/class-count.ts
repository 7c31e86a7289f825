// How many classes a `data` line's dataset has, read from the listing alone: what the analyzer
// checks a model's head against before anything trains. No images are decoded and nothing is
// downloaded; a dataset not found here is left to the loader, which says where it looked.
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { findKnownDataset } from './catalog';
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
