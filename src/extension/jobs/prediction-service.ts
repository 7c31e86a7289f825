/**
 * The `convlab serve RUN` child process: it loads the run's weights, fits a temperature, then
 * prints where it listens and its token, and serves until it is ended. No `vscode` here, so a
 * fake engine script tests it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { LineSplitter, TailBuffer } from './engine-events';
import { engineMessage } from './engine-json';
import type { EngineLaunch } from './engine-process';

/** What the service says once it listens (src/cli/serve.ts prints it). */
export interface ServiceBanner {
  model: string;
  url: string;
  token: string;
  temperature: number;
}

/** How long a stopped service may take to close its connections before it is ended. */
const STOP_GRACE_MS = 3000;

/**
 * Reads the banner `convlab serve` prints: `Serving M from RUN at URL (temperature T)` then
 * `Token: TOKEN`. Undefined until both lines have come.
 */
export function parseServeBanner(lines: readonly string[]): ServiceBanner | undefined {
  let serving: RegExpExecArray | null = null;
  let token: string | undefined;
  for (const line of lines) {
    serving ??= /^Serving (\S+) from .* at (http:\/\/127\.0\.0\.1:\d+) \(temperature ([\d.eE+-]+)\)\s*$/.exec(line);
    token ??= /^Token: (\S+)\s*$/.exec(line)?.[1];
  }
  if (!serving || !token) return undefined;
  return { model: serving[1]!, url: serving[2]!, token, temperature: Number(serving[3]) };
}

export type ServiceExit = { code: number | null; signal: NodeJS.Signals | null; stderrTail: string; stopped: boolean };

export class PredictionServiceProcess {
  private readonly child: ChildProcess;
  private readonly stderr = new TailBuffer(20);
  private readonly banner: string[] = [];
  private stopping = false;
  /** Resolves with the banner once the service listens; rejects if the process ends before. */
  readonly ready: Promise<ServiceBanner>;
  /** Resolves when the process has ended, whichever way. */
  readonly exited: Promise<ServiceExit>;

  constructor(launch: EngineLaunch, onLog: (line: string) => void) {
    this.child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: { ...process.env, ...launch.env }, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const stdout = new LineSplitter();
    let announce: ((banner: ServiceBanner) => void) | undefined;
    let fail: ((error: Error) => void) | undefined;
    this.ready = new Promise<ServiceBanner>((resolve, reject) => {
      announce = resolve;
      fail = reject;
    });
    // A caller that only awaits `exited` must not see an unhandled rejection from `ready`.
    this.ready.catch(() => {});
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of stdout.push(chunk)) {
        // The token is logged by its owner only on request: never the raw banner line.
        onLog(line.startsWith('Token: ') ? 'Token: (hidden)' : line.startsWith('Try: ') ? 'Try: curl … /predict' : line);
        if (this.banner.length < 10) this.banner.push(line);
        const parsed = parseServeBanner(this.banner);
        if (parsed && announce) {
          announce(parsed);
          announce = undefined;
        }
      }
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.stderr.push(chunk).forEach(onLog));
    let startError: Error | undefined;
    this.child.on('error', (error) => (startError = error));
    this.exited = new Promise<ServiceExit>((resolve) => {
      this.child.on('close', (code, signal) => {
        this.stderr.flush().forEach(onLog);
        const stderrTail = this.stderr.text();
        if (announce) {
          const why = startError ? `could not start: ${startError.message}` : (engineMessage(stderrTail) ?? `ended (${signal ?? `exit code ${code}`}) before it listened${stderrTail ? `:\n${stderrTail}` : ''}`);
          fail?.(new Error(startError ? `the prediction service ${why}` : why));
          announce = undefined;
        }
        resolve({ code, signal, stderrTail, stopped: this.stopping });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Asks the service to close (SIGTERM, which `convlab serve` handles); ends it after a grace period. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.stopping = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    timer.unref();
    await this.exited;
    clearTimeout(timer);
  }
}

/** A request a user can paste into a terminal, with the token filled in. */
export function curlExample(banner: Pick<ServiceBanner, 'url' | 'token'>): string {
  return `curl -s -H "Authorization: Bearer ${banner.token}" --data-binary @image.png ${banner.url}/predict`;
}
