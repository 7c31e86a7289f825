import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { ModelFileError } from '../model/model-file';
import { findTorchPython, runConvlabTorch } from './python';
import { type NamedTensor, readSafetensors, SafetensorsError, writeSafetensors } from './safetensors';

/**
 * Reading and writing a state_dict file: `.safetensors` directly, `.pt`/`.pth` through python3
 * with torch (torch.load and torch.save), converted by way of a temporary safetensors file.
 */
export function readStateFile(path: string): Map<string, NamedTensor> {
  const kind = extname(path).toLowerCase();
  try {
    if (kind === '.safetensors') return readSafetensors(path);
    if (kind !== '.pt' && kind !== '.pth') throw new ModelFileError(`${path}: a state_dict must be a .safetensors, .pt or .pth file`);
    const found = findTorchPython();
    if (!found.python) throw new ModelFileError(`${path}: reading a .pt file needs PyTorch: ${found.reason}; or save it as .safetensors`);
    const dir = mkdtempSync(join(tmpdir(), 'convlab-state-'));
    try {
      const converted = join(dir, 'state.safetensors');
      try {
        runConvlabTorch(found.python, 'convert', ['to-safetensors', path, converted]);
      } catch (error) {
        throw new ModelFileError(`${path}: ${(error as Error).message.replace(/^python convlab_torch\.convert failed: /, '')}`);
      }
      return readSafetensors(converted);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } catch (error) {
    if (error instanceof SafetensorsError) throw new ModelFileError(error.message);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelFileError(`${path}: no such file`);
    throw error;
  }
}

/** Writes `.safetensors`, and `.pt` beside it when torch is present; returns the files written. */
export function writeStateFiles(stem: string, state: Map<string, NamedTensor>, metadata: Record<string, string>): string[] {
  const written = [`${stem}.safetensors`];
  writeSafetensors(written[0]!, state, metadata);
  const found = findTorchPython();
  if (found.python) {
    runConvlabTorch(found.python, 'convert', ['to-pt', written[0]!, `${stem}.pt`]);
    written.push(`${stem}.pt`);
  }
  return written;
}
