import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { EngineEventSchema, type CancelledEvent, type CheckpointEvent, type DoneEvent, type EngineEvent } from '../../../protocol/engine';
import { parseMessage } from '../../../protocol/validate';
import { pythonPackageDir } from '../python';
import { runtimeLaunch, stopLaunch } from './torchrun';

export interface RuntimeHandlers {
  /** Every checked event but the last, in order. */
  onEvent(event: EngineEvent): void;
  /** A checkpoint's state_dict is written: the runtime waits until this resolves. */
  onCheckpoint(event: CheckpointEvent): Promise<void>;
  signal?: AbortSignal;
  /** Extra environment (tests, torchrun's variables). */
  env?: NodeJS.ProcessEnv;
  /** Given: that many processes under torchrun (torchrun.ts); absent: the runtime alone. */
  processes?: number;
}

/** The runtime failed or broke the protocol; the message says how, with its stderr's last lines. */
export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

const STDERR_KEPT = 4000;

/**
 * Runs `python -m convlab_torch.train CONFIG` and relays its events. Each stdout line is checked
 * against the schema the extension uses as it arrives: a line that is not an engine event stops
 * the run with an error naming the line, never a silent drop. A cancel becomes the runtime's
 * stdin line; stdin also acknowledges each checkpoint once ConvLab's copy of it is written.
 */
export async function runRuntime(python: string, configPath: string, handlers: RuntimeHandlers): Promise<DoneEvent | CancelledEvent> {
  const launch = runtimeLaunch(configPath, handlers.processes);
  const child = spawn(python, launch.args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...launch.env, ...handlers.env, PYTHONPATH: [pythonPackageDir(), process.env.PYTHONPATH].filter(Boolean).join(':'), PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEPT);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  child.stdin.on('error', () => {}); // a runtime that exited early: its exit says why
  const send = (message: object) => {
    if (child.stdin.writable) child.stdin.write(`${JSON.stringify(message)}\n`);
  };
  const onAbort = () => send({ type: 'cancel' });
  if (handlers.signal?.aborted) onAbort();
  handlers.signal?.addEventListener('abort', onAbort);
  const tail = () => (stderr.trim() ? `\n${stderr.trim().split('\n').slice(-8).join('\n')}` : '');
  let final: DoneEvent | CancelledEvent | undefined;
  let lineNumber = 0;
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      lineNumber++;
      if (!line.trim()) continue;
      const checked = parseMessage(EngineEventSchema, line);
      if (!checked.ok) throw new RuntimeError(`the PyTorch runtime's output line ${lineNumber} is not an engine event: ${checked.error}`);
      const event = checked.value;
      if (event.type === 'error') throw new RuntimeError(`${event.message}${tail()}`);
      if (event.type === 'done' || event.type === 'cancelled') {
        final = event;
        continue;
      }
      handlers.onEvent(event);
      if (event.type === 'checkpoint') {
        await handlers.onCheckpoint(event);
        send({ type: 'checkpointSaved' });
      }
    }
    const exit = await exited;
    if (exit.error) throw new RuntimeError(`cannot run ${python}: ${exit.error.message}`);
    if (!final) throw new RuntimeError(`the PyTorch runtime (${python}) stopped ${exit.signal ? `on ${exit.signal}` : `with exit code ${exit.code}`} before its run ended${tail()}`);
    return final;
  } catch (error) {
    if (child.exitCode === null) stopLaunch(child, handlers.processes);
    await exited;
    throw error;
  } finally {
    handlers.signal?.removeEventListener('abort', onAbort);
    child.stdin.end();
  }
}
