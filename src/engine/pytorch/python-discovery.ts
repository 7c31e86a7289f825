/**
 * Finding the Python that runs the pytorch engine. The `python3` on PATH is often not the one with
 * torch (a pyenv shim, a venv of another project) while Debian's /usr/bin/python3 has it, so each
 * candidate is asked to import torch, and every one passed over is named with the reason.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** Debian bookworm's python3-torch: the oldest torch the runtime is written for. */
export const MINIMUM_TORCH = [1, 13] as const;

export interface PythonCandidate {
  command: string;
  /** Where the candidate came from, for the message: `--python`, `CONVLAB_PYTHON`, `python3 on PATH`… */
  origin: string;
}

export interface TorchPythonFound extends PythonCandidate {
  pythonVersion: string;
  torch: string;
  /** CUDA devices torch sees (0 without CUDA). */
  cudaDevices: number;
  /** Apple's Metal device (torch.backends.mps). */
  mps: boolean;
}

export interface PythonDiscovery {
  found?: TorchPythonFound;
  /** Candidates passed over, in the order tried, each with why. */
  rejected: { candidate: PythonCandidate; reason: string }[];
}

export interface DiscoveryOptions {
  /** `--python` (the extension's `convlab.pythonPath`): tried first, and the only one when `only`. */
  configured?: string;
  /** Where an explicit choice came from, for the message (default `--python`). */
  configuredOrigin?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Runs the probe script; injected by tests. */
  probe?: (command: string) => ProbeResult;
}

export type ProbeResult = { ok: true; output: string } | { ok: false; reason: string };

/** Kept free of f-strings and `print(` forms that Python 2 would reject, so a python 2 says so. */
const PROBE_SCRIPT = [
  'import sys, json',
  'out = {"python": sys.version.split()[0]}',
  'try:',
  '    import torch',
  '    out["torch"] = torch.__version__',
  '    out["cuda"] = torch.cuda.device_count() if torch.cuda.is_available() else 0',
  '    mps = getattr(torch.backends, "mps", None)',
  '    out["mps"] = bool(mps is not None and mps.is_available())',
  'except Exception as e:',
  '    out["error"] = "%s: %s" % (type(e).__name__, e)',
  'sys.stdout.write(json.dumps(out))',
].join('\n');

/** The candidates in order: the explicit one, CONVLAB_PYTHON, python3 on PATH, /usr/bin/python3, python on PATH. */
export function pythonCandidates(options: DiscoveryOptions = {}): PythonCandidate[] {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const list: PythonCandidate[] = [];
  const configured = options.configured?.trim();
  if (configured) list.push({ command: configured, origin: options.configuredOrigin ?? '--python' });
  const fromEnv = env.CONVLAB_PYTHON?.trim();
  if (fromEnv) list.push({ command: fromEnv, origin: 'CONVLAB_PYTHON' });
  const exe = platform === 'win32' ? '.exe' : '';
  const python3 = findOnPath(`python3${exe}`, env.PATH ?? env.Path, platform);
  if (python3) list.push({ command: python3, origin: 'python3 on PATH' });
  if (platform !== 'win32') list.push({ command: '/usr/bin/python3', origin: "the system's python3" });
  const python = findOnPath(`python${exe}`, env.PATH ?? env.Path, platform);
  if (python) list.push({ command: python, origin: 'python on PATH' });
  return dropRepeats(list);
}

/** Tries each candidate in turn; the first with torch 1.13 or later wins. */
export function discoverTorchPython(options: DiscoveryOptions = {}): PythonDiscovery {
  const probe = options.probe ?? probePython;
  const rejected: PythonDiscovery['rejected'] = [];
  for (const candidate of pythonCandidates(options)) {
    const verdict = judge(probe(candidate.command));
    if ('reason' in verdict) rejected.push({ candidate, reason: verdict.reason });
    else return { found: { ...candidate, ...verdict }, rejected };
  }
  return { rejected };
}

/** One line for a log or an error: what was taken and what was passed over, and why. */
export function describeDiscovery(discovery: PythonDiscovery): string {
  const passed = discovery.rejected.map(({ candidate, reason }) => `${candidate.command} (${candidate.origin}): ${reason}`);
  const { found } = discovery;
  if (found) {
    const devices = found.cudaDevices > 0 ? `${found.cudaDevices} CUDA device(s)` : found.mps ? 'an MPS device' : 'no CUDA or MPS device';
    const chosen = `Python ${found.pythonVersion} with torch ${found.torch} at ${found.command} (${found.origin}), ${devices}`;
    return passed.length ? `${chosen}; passed over ${passed.join('; ')}` : chosen;
  }
  const tried = passed.length ? passed.join('; ') : 'no candidate at all';
  return `no Python with torch ${MINIMUM_TORCH.join('.')} or later found: tried ${tried}. Install PyTorch (Debian: apt install python3-torch) or point convlab.pythonPath (--python) at a Python that has it`;
}

function judge(result: ProbeResult): Omit<TorchPythonFound, 'command' | 'origin'> | { reason: string } {
  if (!result.ok) return { reason: result.reason };
  let parsed: { python?: string; torch?: string; cuda?: number; mps?: boolean; error?: string };
  try {
    parsed = JSON.parse(result.output) as typeof parsed;
  } catch {
    return { reason: `answered something other than the probe's JSON: ${JSON.stringify(result.output.slice(0, 120))}` };
  }
  const pythonVersion = parsed.python ?? '?';
  if (parsed.error !== undefined || !parsed.torch) return { reason: `Python ${pythonVersion} has no usable torch (${parsed.error ?? 'no version'})` };
  if (!torchIsRecentEnough(parsed.torch)) return { reason: `torch ${parsed.torch} is older than ${MINIMUM_TORCH.join('.')}` };
  return { pythonVersion, torch: parsed.torch, cudaDevices: parsed.cuda ?? 0, mps: parsed.mps ?? false };
}

export function torchIsRecentEnough(version: string): boolean {
  const [major, minor] = version.split(/[.+a-z]/).map(Number);
  if (major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) return false;
  return major > MINIMUM_TORCH[0] || (major === MINIMUM_TORCH[0] && minor >= MINIMUM_TORCH[1]);
}

/** Runs the probe script in `command`: its JSON answer, or why it gave none. */
export function probePython(command: string): ProbeResult {
  const result = spawnSync(command, ['-c', PROBE_SCRIPT], { encoding: 'utf8', timeout: 60_000, windowsHide: true });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? 'not found' : code === 'ETIMEDOUT' ? 'did not answer within 60 s' : result.error.message };
  }
  if (result.status !== 0) {
    const last = result.stderr.trim().split('\n').pop()?.trim();
    return { ok: false, reason: `exited with ${result.status ?? result.signal}${last ? `: ${last}` : ''}` };
  }
  return { ok: true, output: result.stdout.trim() };
}

function findOnPath(name: string, pathVariable: string | undefined, platform: NodeJS.Platform): string | undefined {
  for (const dir of (pathVariable ?? '').split(platform === 'win32' ? ';' : delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      if (platform !== 'win32') accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      continue;
    }
  }
  return undefined;
}

/** The same program reached twice (/bin/python3 and /usr/bin/python3 on a merged /usr) is tried once. */
function dropRepeats(list: PythonCandidate[]): PythonCandidate[] {
  const seen = new Set<string>();
  return list.filter(({ command }) => {
    let key = command;
    try {
      if (isAbsolute(command)) key = realpathSync(command);
    } catch {
      // A missing file keeps its own name: it is still tried, so the message can say it is not there.
    }
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
