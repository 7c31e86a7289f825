/**
 * Checking a message where it enters a process, against its schema in src/protocol: a bad
 * message becomes an error that says where (which field, or which character of the JSON) and
 * what was wrong, for the log, instead of a cast that fails later somewhere else.
 */
import type { z } from 'zod';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Fields reported per bad message: the first few say enough. */
const ISSUES_SHOWN = 3;

export function checkMessage<S extends z.ZodType>(schema: S, value: unknown): Checked<z.output<S>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.slice(0, ISSUES_SHOWN).map((issue) => `at ${fieldPath(issue.path)}: ${issue.message}`);
  const more = result.error.issues.length - ISSUES_SHOWN;
  return { ok: false, error: `${issues.join('; ')}${more > 0 ? `; and ${more} more` : ''}` };
}

/** JSON text to a checked message; a syntax error names its position in the text. */
export function parseMessage<S extends z.ZodType>(schema: S, text: string): Checked<z.output<S>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON (${(error as Error).message})` };
  }
  return checkMessage(schema, value);
}

/** `epochEnd.loss`, `tried[2].name`, or `(the message)` for the whole object. */
function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the message)';
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`)).join('');
}

/** A message's text, cut for a log line. */
export function excerpt(text: string, length = 120): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
