/**
 * One-shot engine commands that answer with one JSON object on stdout (`convlab eval --json`,
 * `convlab gradcam --json`): run the process, read its object, or fail with what the engine
 * said. No `vscode` here, so a fake engine script tests it.
 */
import { spawn } from 'node:child_process';
import type { z } from 'zod';
import { checkMessage } from '../../protocol/validate';
import { TailBuffer } from './engine-events';
import type { EngineLaunch } from './engine-process';

/** The engine ended without an answer; `message` is its own words (`convlab: …` on stderr) when it gave any. */
export class EngineCommandError extends Error {
  constructor(message: string, readonly stderrTail: string) {
    super(message);
  }
}

/** The caller aborted: the process was ended and nothing is reported. */
export class EngineCommandCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export interface OneShotOptions {
  /** Ends the process; the promise then rejects with EngineCommandCancelled. */
  signal?: AbortSignal;
  /** stderr lines as they come (warnings, the backend's notes), for the log. */
  onLog?: (line: string) => void;
}

/** Lines of stderr kept for an error message. */
const STDERR_TAIL_LINES = 20;

/** Runs the command and checks its answer against `schema` (src/protocol), the answer's contract. */
export function runEngineJson<S extends z.ZodType>(schema: S, launch: EngineLaunch, options: OneShotOptions = {}): Promise<z.output<S>> {
  return new Promise<z.output<S>>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new EngineCommandCancelled());
      return;
    }
    const child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: { ...process.env, ...launch.env }, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const stderr = new TailBuffer(STDERR_TAIL_LINES);
    // A Grad-CAM answer carries its input image, so stdout is kept whole rather than line by line.
    const stdout: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk).forEach((line) => options.onLog?.(line)));
    const abort = () => child.kill();
    options.signal?.addEventListener('abort', abort, { once: true });
    let failedToStart: Error | undefined;
    child.on('error', (error) => (failedToStart = error));
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', abort);
      stderr.flush().forEach((line) => options.onLog?.(line));
      const tail = stderr.text();
      if (options.signal?.aborted) return reject(new EngineCommandCancelled());
      if (failedToStart) return reject(new EngineCommandError(`the engine could not start: ${failedToStart.message}`, tail));
      if (code !== 0) return reject(new EngineCommandError(engineMessage(tail) ?? `the engine ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${tail ? `:\n${tail}` : ''}`, tail));
      const answer = lastJsonLine(stdout.join(''));
      if (answer === undefined) return reject(new EngineCommandError('the engine finished without a JSON answer', tail));
      const checked = checkMessage(schema, answer);
      if (!checked.ok) return reject(new EngineCommandError(`the engine's answer does not match its contract (src/protocol): ${checked.error}`, tail));
      resolve(checked.value);
    });
  });
}

/**
 * What the CLI reported: from its last `convlab: ` line to the end (a usage text can follow it),
 * without the prefix. Undefined when the engine died without saying anything of its own.
 */
export function engineMessage(stderrTail: string): string | undefined {
  const lines = stderrTail.split('\n');
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.startsWith('convlab: ')) {
      start = i;
      break;
    }
  }
  if (start < 0) return undefined;
  return lines.slice(start).join('\n').slice('convlab: '.length).trim();
}

/** The last line that parses as a JSON object: libraries may print stray lines before it. */
export function lastJsonLine(text: string): unknown {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
