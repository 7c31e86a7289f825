import type { Span } from './text';

export type Severity = 'error' | 'warning' | 'info';

/**
 * Stable diagnostic codes: tools and tests match on these, so a code keeps its meaning once
 * published. docs/language.md lists them.
 */
export type DiagnosticCode =
  | 'syntax'
  | 'unknown-layer'
  | 'unknown-block'
  | 'unknown-model'
  | 'unknown-name'
  | 'unknown-option'
  | 'unknown-setting'
  | 'missing-argument'
  | 'too-many-arguments'
  | 'duplicate-argument'
  | 'bad-value'
  | 'duplicate-declaration'
  | 'duplicate-layer-name'
  | 'recursive-block'
  | 'too-large'
  | 'missing-input'
  | 'misplaced-input'
  | 'kernel-too-large'
  | 'empty-output'
  | 'needs-spatial-input'
  | 'needs-flat-input'
  | 'shape-mismatch'
  | 'channel-groups'
  | 'shortcut-stride'
  | 'empty-branch'
  | 'unused-block'
  | 'softmax-not-last'
  | 'missing-setting'
  | 'base-unavailable'
  | 'unsupported-layer'
  | 'needs-base'
  | 'residual-projection'
  | 'class-mismatch'
  | 'weights-mismatch';

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  /** What to do about it. */
  hint?: string;
  span: Span;
  /** Where a block was called from when the problem is inside it. */
  related?: { message: string; span: Span }[];
  /** An edit that does what the hint says (a code action). */
  fix?: { title: string; span: Span; newText: string };
}

/** A block call being walked: problems inside it name it, and shape problems show at it too. */
export interface CallSite {
  message: string;
  span: Span;
  block: string;
}

/** Problems that depend on the values and shapes a call brings, so that the call is at fault too. */
const INSTANCE_CODES = new Set<DiagnosticCode>(['bad-value', 'kernel-too-large', 'empty-output', 'needs-spatial-input', 'needs-flat-input', 'shape-mismatch', 'channel-groups', 'shortcut-stride']);

/**
 * Collects diagnostics, merging repeats: a block called five times reports a problem once, with
 * every call that produced it as related information. A problem of the values or shapes a call
 * brings is also reported at the outermost call, where the writer can see which one fails.
 */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  private readonly seen = new Map<string, Diagnostic>();
  private readonly calls: CallSite[] = [];

  enterCall(call: CallSite): void {
    this.calls.push(call);
  }

  leaveCall(): void {
    this.calls.pop();
  }

  add(diagnostic: Diagnostic): void {
    const calls = this.calls.length > 0 && diagnostic.related === undefined ? this.calls.map(({ message, span }) => ({ message, span })) : undefined;
    const key = `${diagnostic.span.start}:${diagnostic.span.end}:${diagnostic.code}:${diagnostic.message}`;
    const earlier = this.seen.get(key);
    if (earlier) {
      for (const call of calls ?? []) {
        if (!earlier.related?.some((r) => r.span.start === call.span.start && r.span.end === call.span.end)) (earlier.related ??= []).push(call);
      }
    } else {
      const item = calls ? { ...diagnostic, related: calls } : diagnostic;
      this.seen.set(key, item);
      this.items.push(item);
    }
    const outermost = this.calls[0];
    if (outermost && diagnostic.severity === 'error' && INSTANCE_CODES.has(diagnostic.code)) {
      const chain = this.calls.map((c) => c.block).join(' → ');
      const atCall = `${outermost.span.start}:${outermost.span.end}:${diagnostic.code}:${diagnostic.message}`;
      if (this.seen.has(atCall)) return;
      const echo: Diagnostic = { severity: 'error', code: diagnostic.code, message: `this call of ${chain} fails: ${diagnostic.message}`, hint: diagnostic.hint, span: outermost.span, related: [{ message: `the line in block ${this.calls.at(-1)!.block}`, span: diagnostic.span }] };
      this.seen.set(atCall, echo);
      this.items.push(echo);
    }
  }

  error(code: DiagnosticCode, span: Span, message: string, hint?: string): void {
    this.add({ severity: 'error', code, message, hint, span });
  }

  warning(code: DiagnosticCode, span: Span, message: string, hint?: string): void {
    this.add({ severity: 'warning', code, message, hint, span });
  }
}

/** Edit distance, for "did you mean …" hints. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = levenshtein(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const match = closest(word, candidates);
  return match === undefined ? undefined : `did you mean '${match}'?`;
}
