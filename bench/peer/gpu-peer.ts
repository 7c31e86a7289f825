/**
 * Runs gpu_peer.py (PyTorch training images/s of the pinned networks) with a python3 that has
 * torch and torchvision (pytorch.ts finds it) and parses its JSON lines.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface PeerCase {
  model: string;
  batch: number;
}

export interface PeerOptions {
  device: 'cuda' | 'cpu';
  strictFp32: boolean;
  warmup: number;
  steps: number;
  repeats: number;
}

export interface PeerResult extends PeerCase {
  imagesPerSecond: number;
  repetitions: number[];
  torch: string;
}

export function runPeer(python: string, cases: PeerCase[], options: PeerOptions): PeerResult[] {
  const args = [join(__dirname, 'gpu_peer.py'), '--device', options.device, '--warmup', String(options.warmup), '--steps', String(options.steps),
    '--repeats', String(options.repeats), ...(options.strictFp32 ? ['--strict-fp32'] : []), ...cases.map((c) => `${c.model}:${c.batch}`)];
  const run = spawnSync(python, args, { encoding: 'utf8', timeout: 1_800_000, maxBuffer: 1 << 24 });
  if (run.error) throw new Error(`could not run ${python} gpu_peer.py: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`${python} gpu_peer.py exited with ${run.status}: ${(run.stderr ?? '').trim().slice(-1500)}`);
  return run.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as PeerResult);
}

/** Whether this python's torch sees a CUDA device. */
export function hasCuda(python: string): boolean {
  const probe = spawnSync(python, ['-c', 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'], { timeout: 120_000 });
  return probe.status === 0;
}
