import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import type { ReadStateDict } from '../../language/passes/cnn-base';
import type { FileTensor } from '../../language/pytorch/base-weights';
import { defaultCacheDir, type Environment } from '../data/locations';

/**
 * Where a `pretrained MODEL weights "…"` line's state_dict is, and its tensors' names and shapes
 * from the safetensors header alone (a few kilobytes), so that the language server checks the
 * weights against the model as the user types. Loads no TensorFlow: the server reads it.
 */

/** torchvision's weights converted once into ConvLab's cache: convlab/torchvision/NAME.safetensors beside the datasets. */
export function torchvisionCacheFile(name: string, env: Environment = process.env): string {
  return join(dirname(defaultCacheDir(env)), 'torchvision', `${name}.safetensors`);
}

const TORCHVISION_PREFIX = 'torchvision:';

/** `torchvision:vgg16` → vgg16; undefined for a path. */
export function torchvisionName(source: string): string | undefined {
  return source.startsWith(TORCHVISION_PREFIX) ? source.slice(TORCHVISION_PREFIX.length) : undefined;
}

/** The tensors of a safetensors file in the order of their data, or why it is not one. */
export function readSafetensorsHeader(path: string): FileTensor[] | string {
  const size = statSync(path).size;
  if (size < 8) return `not a safetensors file: ${size} bytes (byte 0)`;
  const fd = openSync(path, 'r');
  try {
    const lengthBytes = Buffer.alloc(8);
    readSync(fd, lengthBytes, 0, 8, 0);
    const length = Number(lengthBytes.readBigUInt64LE());
    if (length <= 1 || 8 + length > size) return `not a safetensors file: its header length ${length} does not fit in ${size} bytes (byte 0)`;
    const bytes = Buffer.alloc(length);
    readSync(fd, bytes, 0, length, 8);
    let header: Record<string, { shape?: number[]; data_offsets?: [number, number] }>;
    try {
      header = JSON.parse(bytes.toString('utf8')) as typeof header;
    } catch {
      return 'not a safetensors file: its header is not JSON (byte 8)';
    }
    return Object.entries(header).filter(([key]) => key !== '__metadata__')
      .sort((a, b) => (a[1].data_offsets?.[0] ?? 0) - (b[1].data_offsets?.[0] ?? 0))
      .map(([key, entry]) => ({ key, shape: entry.shape ?? [] }));
  } finally {
    closeSync(fd);
  }
}

/** How hosts read `weights` sources for a model file: relative paths, and torchvision's names from ConvLab's cache. */
export function stateDictReader(modelFile: string, cacheFile: (name: string) => string = (name) => torchvisionCacheFile(name)): ReadStateDict {
  return (source) => {
    const network = torchvisionName(source);
    const path = network !== undefined ? cacheFile(network) : resolve(dirname(resolve(modelFile)), source);
    if (network !== undefined && !existsSync(path)) {
      return {
        error: `torchvision's ${network} weights are not in ConvLab's cache (${path})`,
        hint: `online, \`convlab import-weights --torchvision ${network}\` fetches them through torchvision and converts them there (Train does too); see docs/pytorch.md`,
      };
    }
    const kind = extname(path).toLowerCase();
    if (kind !== '.safetensors' && kind !== '.pt' && kind !== '.pth') return { error: `${path}: a state_dict is a .safetensors, .pt or .pth file` };
    if (!existsSync(path)) return { error: `${path}: no such file` };
    // A .pt file needs Python with torch to open: it is checked when training starts.
    if (kind !== '.safetensors') return { location: path };
    try {
      const tensors = readSafetensorsHeader(path);
      return typeof tensors === 'string' ? { error: `${path}: ${tensors}` } : { location: path, tensors };
    } catch (error) {
      return { error: `${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
    }
  };
}
