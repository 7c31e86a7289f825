/**
 * The long-lived `convlab serve-engine` process behind the feature-maps view: JSON-line requests
 * `{id, method, params}` and replies `{id, result | error}` (src/protocol/inspect.ts). Started on
 * the first request, restarted after a crash, and asked to shut down with the extension.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EngineReplySchema, type EngineRequest, type InspectRequest, type InspectResult } from '../../protocol/inspect';
import { excerpt, parseMessage } from '../../protocol/validate';
import { LineSplitter, TailBuffer } from './engine-events';
import type { EngineLaunch } from './engine-process';

interface Pending {
  resolve(result: InspectResult): void;
  reject(error: Error): void;
}

export class ServeEngineClient {
  private child: ChildProcess | undefined;
  /** Set while a process is starting, so concurrent first requests share it. */
  private starting: Promise<ChildProcess> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly stderr = new TailBuffer(20);

  /** `launch` is asked each time a process starts, so changed settings apply after a restart. */
  constructor(private readonly launch: () => Promise<EngineLaunch>, private readonly log: (line: string) => void) {}

  async inspect(params: InspectRequest): Promise<InspectResult> {
    const child = this.child ?? (await (this.starting ??= this.start().finally(() => (this.starting = undefined))));
    const id = this.nextId++;
    const request: EngineRequest = { id, method: 'inspect', params };
    return new Promise<InspectResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.stdin?.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Asks the engine to exit; ends it if it has not within a grace period. */
  dispose(): void {
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    const shutdown: EngineRequest = { id: this.nextId++, method: 'shutdown' };
    child.stdin?.end(`${JSON.stringify(shutdown)}\n`);
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    }, 2000).unref();
  }

  private async start(): Promise<ChildProcess> {
    const launch = await this.launch();
    const child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: { ...process.env, ...launch.env }, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.child = child;
    this.log(`serve-engine started (pid ${child.pid}): ${launch.command} ${launch.args.join(' ')}`);
    const stdout = new LineSplitter();
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk).forEach((line) => this.readReply(line)));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.stderr.push(chunk).forEach((line) => this.log(`serve-engine: ${line}`)));
    child.stdin?.on('error', () => {});
    const fail = (why: string) => {
      if (this.child === child) this.child = undefined;
      const tail = this.stderr.text();
      for (const [, waiting] of this.pending) waiting.reject(new Error(`the feature-map engine ${why}${tail ? `:\n${tail}` : ''}`));
      this.pending.clear();
    };
    child.on('error', (error) => fail(`could not start (${error.message})`));
    child.on('close', (code, signal) => fail(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    return child;
  }

  private readReply(line: string): void {
    if (!line.trim().startsWith('{')) {
      if (line.trim() !== '') this.log(`serve-engine: ${line}`);
      return;
    }
    const checked = parseMessage(EngineReplySchema, line);
    if (!checked.ok) {
      this.log(`serve-engine: a reply that breaks the contract (src/protocol/inspect.ts) was dropped: ${checked.error}: ${excerpt(line)}`);
      return;
    }
    const reply = checked.value;
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if ('result' in reply) waiting.resolve(reply.result);
    else waiting.reject(new Error(reply.error.message));
  }
}
