/**
 * The long-lived `convlab serve-engine` process behind the feature-maps view: JSON-line requests
 * `{id, method, params}` and replies `{id, result | error}` (src/protocol/inspect.ts). Started on
 * the first request, restarted after a crash, and asked to shut down with the extension.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { z } from 'zod';
import {
  ExplainFlowSchema, ServeEngineReplyEnvelopeSchema, UnitExplanationSchema,
  type ExplainFlow, type ExplainRequest, type ExplainUnitRequest, type ServeEngineRequest, type UnitExplanation,
} from '../../protocol/explain';
import { SampleInputSchema, type SampleInput, type SampleInputRequest } from '../../protocol/sample-input';
import { InspectResultSchema, type EngineRequest, type InspectRequest, type InspectResult } from '../../protocol/inspect';
import { checkMessage, excerpt, parseMessage } from '../../protocol/validate';
import { LineSplitter, TailBuffer } from './engine-events';
import type { EngineLaunch } from './engine-process';

interface Pending {
  /** The schema of the answer the method promises; a result that breaks it fails the request. */
  schema: z.ZodType;
  resolve(result: unknown): void;
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

  inspect(params: InspectRequest): Promise<InspectResult> {
    return this.call(InspectResultSchema, (id) => ({ id, method: 'inspect', params }));
  }

  /** An image's way through the model (src/protocol/explain.ts). */
  explain(params: ExplainRequest): Promise<ExplainFlow> {
    return this.call(ExplainFlowSchema, (id) => ({ id, method: 'explain', params }));
  }

  /** The sum behind one value of a layer. */
  explainUnit(params: ExplainUnitRequest): Promise<UnitExplanation> {
    return this.call(UnitExplanationSchema, (id) => ({ id, method: 'explainUnit', params }));
  }

  /** One example of a model's dataset as display pixels, or why there is none (never a download). */
  sampleInput(params: SampleInputRequest): Promise<SampleInput> {
    return this.call(SampleInputSchema, (id) => ({ id, method: 'sampleInput', params }));
  }

  private async call<S extends z.ZodType>(schema: S, request: (id: number) => ServeEngineRequest): Promise<z.output<S>> {
    const child = this.child ?? (await (this.starting ??= this.start().finally(() => (this.starting = undefined))));
    const id = this.nextId++;
    return new Promise<z.output<S>>((resolve, reject) => {
      this.pending.set(id, { schema, resolve: resolve as (result: unknown) => void, reject });
      child.stdin?.write(`${JSON.stringify(request(id))}\n`);
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
    const checked = parseMessage(ServeEngineReplyEnvelopeSchema, line);
    if (!checked.ok) {
      this.log(`serve-engine: a reply that breaks the contract (src/protocol/inspect.ts, explain.ts) was dropped: ${checked.error}: ${excerpt(line)}`);
      return;
    }
    const reply = checked.value;
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if ('error' in reply) {
      waiting.reject(new Error(reply.error.message));
      return;
    }
    const result = checkMessage(waiting.schema, reply.result);
    if (result.ok) waiting.resolve(result.value);
    else waiting.reject(new Error(`serve-engine: reply ${reply.id} breaks the contract (src/protocol/inspect.ts, explain.ts): ${result.error}`));
  }
}
