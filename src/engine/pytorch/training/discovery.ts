import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Finding a Python that can train: the `--python` option (the `convlab.pythonPath` setting), then
 * `CONVLAB_PYTHON`, then the candidates in the order a student's machine has them: `python3` and
 * `python` on PATH (an activated virtual environment or conda), Debian's /usr/bin/python3
 * (python3-torch), /usr/local/bin/python3, conda's base. `python3` on PATH may be a pyenv shim
 * without torch, so each is asked to import torch, and every one tried is named in the answer.
 */
export interface TorchDevices {
  python: string;
  /** Python's own version, and torch's. */
  pythonVersion: string;
  torch: string;
  cuda: boolean;
  cudaDevices: number;
  /** The first CUDA device's name, for the log. */
  cudaName?: string;
  mps: boolean;
}

export type PythonSearch = { found: TorchDevices; tried: string[] } | { found: undefined; tried: string[] };

const PROBE = [
  'import json, sys, torch',
  'mps = getattr(torch.backends, "mps", None)',
  'cuda = torch.cuda.is_available()',
  'sys.stdout.write(json.dumps({"pythonVersion": sys.version.split()[0], "torch": torch.__version__, "cuda": cuda, "cudaDevices": torch.cuda.device_count() if cuda else 0,',
  '  "cudaName": torch.cuda.get_device_name(0) if cuda else None, "mps": bool(mps is not None and mps.is_available())}))',
].join('\n');

const cache = new Map<string, TorchDevices | string>();

/** Asks one interpreter; the answer, or why it cannot train. Remembered for the process (importing torch takes seconds). */
export function probePython(python: string): TorchDevices | string {
  // A bare name is looked up on PATH, which may change between runs in one process (tests).
  const key = python.includes('/') ? python : `${python}\0${process.env.PATH ?? ''}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const probe = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', timeout: 120_000 });
  let answer: TorchDevices | string;
  if (probe.error) answer = (probe.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : probe.error.message;
  else if (probe.status !== 0) answer = lastLine(probe.stderr) ?? `exit code ${probe.status}`;
  else {
    try {
      const parsed = JSON.parse(probe.stdout) as Omit<TorchDevices, 'python'> & { cudaName: string | null };
      answer = typeof parsed.torch === 'string' ? { ...parsed, python, cudaName: parsed.cudaName ?? undefined } : `its answer names no torch version: ${probe.stdout.slice(0, 80)}`;
    } catch {
      answer = `its answer was not JSON: ${probe.stdout.slice(0, 80)}`;
    }
  }
  cache.set(key, answer);
  return answer;
}

/** Where Python lives when PATH does not say: Debian's (python3-torch), a source build's, conda's. */
export const SYSTEM_PYTHONS = ['/usr/bin/python3', '/usr/local/bin/python3', '/opt/conda/bin/python3'];

export function pythonCandidates(option?: string, places: readonly string[] = SYSTEM_PYTHONS): string[] {
  const candidates = [option, process.env.CONVLAB_PYTHON, 'python3', 'python', ...places]
    .filter((c): c is string => !!c)
    .filter((c) => !c.startsWith('/') || c === option || existsSync(c));
  return [...new Set(candidates)];
}

/** The first candidate with torch; `tried` names each one asked, and its answer. */
export function findTrainingPython(option?: string, places: readonly string[] = SYSTEM_PYTHONS): PythonSearch {
  const tried: string[] = [];
  for (const python of pythonCandidates(option, places)) {
    const answer = probePython(python);
    if (typeof answer !== 'string') {
      tried.push(`${python}: torch ${answer.torch}`);
      return { found: answer, tried };
    }
    tried.push(`${python}: ${answer}`);
  }
  return { found: undefined, tried };
}

export function describeDevices(found: TorchDevices): string {
  if (found.cuda) return `${found.cudaDevices} CUDA device${found.cudaDevices === 1 ? '' : 's'} (${found.cudaName ?? 'unnamed'})`;
  if (found.mps) return 'an MPS device';
  return 'no CUDA or MPS device';
}

function lastLine(text: string): string | undefined {
  return text.trim().split('\n').pop()?.trim() || undefined;
}
