/**
 * Reading the engine's stdout: JSON lines (src/protocol/engine.ts) arrive in arbitrary chunks,
 * and anything that is not an event (a stray console line from a library) must not break a run.
 */
import { EngineEventSchema, type EngineEvent } from '../../protocol/engine';
import { excerpt, parseMessage } from '../../protocol/validate';

/** The events that end a run: exactly one of them comes last. */
export type FinalEvent = Extract<EngineEvent, { type: 'done' | 'error' | 'cancelled' }>;

export function isFinalEvent(event: EngineEvent): event is FinalEvent {
  return event.type === 'done' || event.type === 'error' || event.type === 'cancelled';
}

/** Splits a byte stream's text into lines; keeps a partial last line until its newline comes. */
export class LineSplitter {
  private pending = '';

  /** The complete lines in `chunk` (and before it), without their line endings. */
  push(chunk: string): string[] {
    const text = this.pending + chunk;
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  }

  /** What is left when the stream ends (a last line without a newline). */
  flush(): string[] {
    const rest = this.pending;
    this.pending = '';
    return rest === '' ? [] : [rest];
  }
}

/**
 * What one stdout line is: an event; a line of text that is not JSON (a library's stray
 * console line, shown in the log); or a JSON object that breaks the contract, with what and
 * where, so the log says so instead of the run silently losing it.
 */
export type EngineLine =
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'text'; line: string }
  | { kind: 'invalid'; error: string };

export function readEngineLine(line: string): EngineLine {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return { kind: 'text', line };
  const checked = parseMessage(EngineEventSchema, trimmed);
  if (checked.ok) return { kind: 'event', event: checked.value };
  return { kind: 'invalid', error: `not an engine event (docs/cli.md): ${checked.error}: ${excerpt(trimmed)}` };
}

/** The last `limit` lines of a stream, for error messages about a crashed engine. */
export class TailBuffer {
  private readonly lines: string[] = [];
  private readonly splitter = new LineSplitter();

  constructor(private readonly limit: number) {}

  push(chunk: string): string[] {
    const complete = this.splitter.push(chunk);
    this.keep(complete);
    return complete;
  }

  flush(): string[] {
    const rest = this.splitter.flush();
    this.keep(rest);
    return rest;
  }

  text(): string {
    return this.lines.join('\n');
  }

  private keep(lines: string[]): void {
    for (const line of lines) if (line.trim() !== '') this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit);
  }
}

export type RunOutcome =
  | { kind: 'done'; event: Extract<EngineEvent, { type: 'done' }> }
  | { kind: 'cancelled'; event: Extract<EngineEvent, { type: 'cancelled' }> }
  | { kind: 'error'; message: string; location?: { file: string; line: number; column: number }; stderrTail: string }
  | { kind: 'crashed'; message: string; stderrTail: string };

/**
 * How a run ended, from its last event and its exit. An error event is the engine reporting a
 * problem it understood; a crash is an exit without a final event, or a non-zero exit after a
 * `done` (the engine promises 0 then).
 */
export function classifyExit(final: FinalEvent | undefined, exit: { code: number | null; signal: string | null }, stderrTail: string): RunOutcome {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  if (final?.type === 'error') return { kind: 'error', message: final.message, location: final.location, stderrTail };
  if (final?.type === 'cancelled') return { kind: 'cancelled', event: final };
  if (final?.type === 'done' && exit.code === 0) return { kind: 'done', event: final };
  if (final?.type === 'done') return { kind: 'crashed', message: `the engine finished but ${how}`, stderrTail };
  return { kind: 'crashed', message: `the engine ${how} before the run ended`, stderrTail };
}
