import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findTrainingPython } from './training/discovery';

/**
 * Finding a Python with torch: `CONVLAB_PYTHON`, then `python3` and `python` on PATH (which may
 * be a pyenv shim without torch, hence the check), Debian's /usr/bin/python3 (python3-torch)…
 */
export type TorchPython = { python: string; torch: string; reason?: undefined } | { python: undefined; torch?: undefined; reason: string };

let found: TorchPython | undefined;

/** Looked up once per process: importing torch takes seconds. */
export function findTorchPython(): TorchPython {
  found ??= probeTorchPython();
  return found;
}

function probeTorchPython(): TorchPython {
  // One search for every use of Python (export, import, torchvision, training): training/discovery.ts.
  const search = findTrainingPython();
  return search.found
    ? { python: search.found.python, torch: search.found.torch }
    : { python: undefined, reason: `no Python with torch found (tried ${search.tried.join('; ')}); install python3-torch (Debian) or set CONVLAB_PYTHON` };
}

/** The folder holding the `convlab_torch` package: beside dist/ in a package, or the repository's. */
export function pythonPackageDir(): string {
  const candidates = [join(__dirname, '..', 'python'), join(__dirname, '..', '..', '..', 'python'), join(process.cwd(), 'python')];
  return candidates.find((dir) => existsSync(join(dir, 'convlab_torch', '__init__.py'))) ?? candidates[0]!;
}

/** Runs `python -m convlab_torch.MODULE ARGS`; throws with its stderr when it fails. */
export function runConvlabTorch(python: string, module: string, args: string[], timeoutMs = 600_000): string {
  const result = spawnSync(python, ['-m', `convlab_torch.${module}`, ...args], {
    encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PYTHONPATH: [pythonPackageDir(), process.env.PYTHONPATH].filter(Boolean).join(':') },
  });
  if (result.status !== 0) {
    const why = result.error ? result.error.message : result.stderr.trim().split('\n').slice(-3).join('\n');
    throw new Error(`python convlab_torch.${module} failed: ${why}`);
  }
  return result.stdout;
}
