import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isUrlSource, type ReadBaseModel } from '../../language/passes/pretrained';
import { defaultCacheDir } from '../data/locations';

/**
 * Where a pretrained base's model.json is: a path relative to the model file, or for a URL the
 * copy downloaded once into the user's cache (see fetchBases in base-model.ts).
 */

/** Downloaded bases live beside the dataset cache: convlab/bases/<hash of the URL>/. */
export function basesCacheDir(): string {
  return join(dirname(defaultCacheDir()), 'bases');
}

export function cachedModelJson(url: string, cacheDir: string): string {
  return join(cacheDir, createHash('sha256').update(url).digest('hex').slice(0, 16), 'model.json');
}

/** How the engine reads a `pretrained` line's model.json: relative to the model file, or from the cache. */
export function baseModelReader(modelFile: string, cacheDir = basesCacheDir()): ReadBaseModel {
  return (source) => {
    const path = isUrlSource(source) ? cachedModelJson(source, cacheDir) : resolve(dirname(resolve(modelFile)), source);
    if (isUrlSource(source) && !existsSync(path)) return { error: 'not downloaded yet (convlab train downloads it)' };
    try {
      return { text: readFileSync(path, 'utf8'), location: path };
    } catch (error) {
      return { error: `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}` };
    }
  };
}

