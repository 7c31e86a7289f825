import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Analysis } from '../../../language/passes/analyze';
import type { TrainSpec } from '../../../language/passes/train-spec';
import type { BackendName } from '../../../protocol/engine';
import { ModelFileError } from '../../model/model-file';
import type { TorchDevices } from './discovery';

/**
 * Data parallel runs of the pytorch runtime: `--gpus N` or the train section's `devices N` start
 * N processes under torchrun, one per CUDA device, or CPU processes talking gloo where there is
 * no CUDA (python/convlab_torch/distributed.py; docs/architecture.md, "Many devices").
 */

/**
 * How many processes under torchrun: `--gpus` over `devices`, checked against the batch and the
 * devices torch sees; undefined when neither is given (the runtime alone, no torchrun). `--gpus 1`
 * is one process under torchrun, as `torchrun --nproc_per_node 1` runs a script.
 */
export function dataParallelProcesses(gpus: number | undefined, spec: TrainSpec, found: TorchDevices, file: string, analysis: Analysis): number | undefined {
  const processes = gpus ?? spec.devices;
  if (processes === undefined) return undefined;
  const where = gpus === undefined ? locate(spec.devicesSpan, file, analysis) : undefined;
  const asked = gpus === undefined ? `devices ${processes}` : `--gpus ${processes}`;
  if (spec.batch % processes !== 0) {
    throw new ModelFileError(`${asked}: batch ${spec.batch} does not split evenly over ${processes} processes; make batch (the global batch) a multiple of ${processes}`, where);
  }
  if (found.cuda && processes > found.cudaDevices) {
    throw new ModelFileError(`${asked}: torch ${found.torch} at ${found.python} sees ${found.cudaDevices} CUDA device(s); one process per device, so at most ${found.cudaDevices}`, where);
  }
  if (!found.cuda && found.mps && processes > 1) {
    throw new ModelFileError(`${asked}: MPS is one device and torch has no MPS backend for torch.distributed; train with one process there`, where);
  }
  return processes;
}

/**
 * `--backend` (the convlab.backend setting) on the pytorch engine: left out, the best device torch
 * sees (CUDA, MPS, the CPU); `cuda` demands CUDA; `cpu` keeps to the CPU; TensorFlow.js' own
 * backends mean nothing to torch and are refused rather than ignored.
 */
export function pytorchDevice(backend: BackendName | undefined, found: TorchDevices): 'cuda' | 'mps' | 'cpu' {
  if (backend === undefined) return found.cuda ? 'cuda' : found.mps ? 'mps' : 'cpu';
  if (backend === 'cpu') return 'cpu';
  if (backend === 'cuda') {
    if (found.cuda) return 'cuda';
    throw new ModelFileError(`--backend cuda: torch ${found.torch} at ${found.python} sees no CUDA device; leave the backend to auto (the best device torch sees) or ask for cpu`);
  }
  throw new ModelFileError(`--backend ${backend} is a TensorFlow.js backend; the pytorch engine runs on cuda or cpu (auto: the best of CUDA, MPS and the CPU). Set convlab.backend to auto, cuda or cpu, or train with the tfjs engine`);
}

/** The tfjs engine trains in one process (its CPU replicas are `--workers`): `devices` needs pytorch. */
export function refuseDevicesOnTfjs(gpus: number | undefined, spec: TrainSpec, file: string, analysis: Analysis): void {
  const processes = gpus ?? spec.devices ?? 1;
  if (processes <= 1) return;
  const asked = gpus === undefined ? `devices ${processes}` : `--gpus ${processes}`;
  throw new ModelFileError(`${asked} needs the pytorch engine (--engine pytorch, or the convlab.engine setting); the tfjs engine trains in one process (its CPU replicas are --workers)`, gpus === undefined ? locate(spec.devicesSpan, file, analysis) : undefined);
}

/**
 * The runtime's command line after the Python: the module alone, or under ConvLab's torchrun
 * (convlab_torch.torchrun: torch.distributed.run with torch 1.13's Python 3.11 fault repaired).
 * torchrun gives every worker 1 OpenMP thread unless told; CPU processes share the cores instead.
 */
export function runtimeLaunch(configPath: string, processes: number | undefined, cores = availableParallelism()): { args: string[]; env: Record<string, string> } {
  const runtime = ['-m', 'convlab_torch.train', configPath];
  if (processes === undefined) return { args: runtime, env: {} };
  const args = ['-m', 'convlab_torch.torchrun', '--standalone', '--nnodes', '1', '--nproc_per_node', String(processes), '--monitor_interval', '1', ...runtime];
  return { args, env: process.env.OMP_NUM_THREADS ? {} : { OMP_NUM_THREADS: String(Math.max(1, Math.floor(cores / processes))) } };
}

/**
 * Ends a runtime that broke the protocol. torchrun forwards SIGTERM to its workers and waits for
 * them, which SIGKILL would not (the workers would hang in their collectives); it gets 5 s.
 */
export function stopLaunch(child: ChildProcess, processes: number | undefined): void {
  if (processes === undefined) {
    child.kill('SIGKILL');
    return;
  }
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000);
  kill.unref();
  child.once('close', () => clearTimeout(kill));
}

function locate(span: TrainSpec['devicesSpan'], file: string, analysis: Analysis): { file: string; line: number; column: number } | undefined {
  if (!span) return undefined;
  const { line, character } = analysis.lines.position(span.start);
  return { file, line: line + 1, column: character + 1 };
}
