/**
 * One `convlab train --json` child process: its events in, a cancel line out, and how it ended.
 * No `vscode` here, so a fake engine script tests it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { EngineCommand, EngineEvent } from '../../protocol/engine';
import { classifyExit, isFinalEvent, LineSplitter, readEngineLine, TailBuffer, type FinalEvent, type RunOutcome } from './engine-events';

export interface EngineLaunch {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/** The program and environment for an engine command line, chosen from the settings when asked. */
export type EngineLauncher = (args: string[], cwd: string) => Promise<EngineLaunch>;

export interface EngineHandlers {
  onEvent(event: EngineEvent): void;
  /** Lines that are not events: stderr, and stray stdout lines. */
  onLog(line: string, stream: 'stdout' | 'stderr'): void;
  /** A stdout line that looks like an event but breaks the contract; the run goes on. */
  onInvalid(error: string): void;
}

/** Lines of stderr kept for the message when the engine crashes. */
const STDERR_TAIL_LINES = 20;

export class EngineProcess {
  private readonly child: ChildProcess;
  private readonly stderr = new TailBuffer(STDERR_TAIL_LINES);
  private final: FinalEvent | undefined;
  private cancelRequested = false;
  /** Lines read from stdout so far, to say where a bad one was. */
  private stdoutLines = 0;
  /** Resolves once the process has exited and its output is read. */
  readonly outcome: Promise<RunOutcome>;

  constructor(launch: EngineLaunch, private readonly handlers: EngineHandlers) {
    this.child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stdout = new LineSplitter();
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk).forEach((line) => this.readLine(line)));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.stderr.push(chunk).forEach((line) => handlers.onLog(line, 'stderr')));
    // A cancel written after the engine closed its stdin must not become an unhandled error.
    this.child.stdin?.on('error', () => {});
    this.outcome = new Promise((resolve) => {
      this.child.on('error', (error) => {
        resolve({ kind: 'crashed', message: `the engine could not start: ${error.message}`, stderrTail: this.stderr.text() });
      });
      this.child.on('close', (code, signal) => {
        stdout.flush().forEach((line) => this.readLine(line));
        this.stderr.flush().forEach((line) => handlers.onLog(line, 'stderr'));
        resolve(classifyExit(this.final, { code, signal }, this.stderr.text()));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Asks the engine to finish its batch, write its checkpoint and end with `cancelled`. */
  cancel(): void {
    if (this.cancelRequested || this.final || this.child.exitCode !== null) return;
    this.cancelRequested = true;
    const command: EngineCommand = { type: 'cancel' };
    this.child.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  get cancelling(): boolean {
    return this.cancelRequested;
  }

  /** For an engine that ignores its cancel line (VS Code is closing): end it now. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }

  private readLine(line: string): void {
    this.stdoutLines++;
    const read = readEngineLine(line);
    if (read.kind === 'text') {
      if (line.trim() !== '') this.handlers.onLog(line, 'stdout');
      return;
    }
    if (read.kind === 'invalid') {
      this.handlers.onInvalid(`engine stdout line ${this.stdoutLines}: ${read.error}`);
      return;
    }
    if (isFinalEvent(read.event)) this.final = read.event;
    this.handlers.onEvent(read.event);
  }
}
