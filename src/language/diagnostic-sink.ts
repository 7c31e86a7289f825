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
  | 'needs-base';

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  /** What to do about it. */
  hint?: string;
  span: Span;
  /** Where a block was called from when the problem is inside it. */
  related?: { message: string; span: Span }[];
}

/** Collects diagnostics, dropping repeats: a block called five times reports a problem once. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  add(diagnostic: Diagnostic): void {
    const key = `${diagnostic.span.start}:${diagnostic.span.end}:${diagnostic.code}:${diagnostic.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(diagnostic);
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
