/**
 * A message from a webview, checked against its view's schema (src/protocol/webview.ts) before
 * the host acts on it. No `vscode` here, so it is tested alone.
 */
import type { z } from 'zod';
import type { ReadyMessage } from '../../protocol/webview';
import { checkMessage, excerpt } from '../../protocol/validate';

export type ViewMessage<M> = { kind: 'ready' } | { kind: 'message'; message: Exclude<M, ReadyMessage> } | { kind: 'invalid'; error: string };

export function readViewMessage<S extends z.ZodType<{ type: string }>>(view: string, schema: S, raw: unknown): ViewMessage<z.output<S>> {
  const checked = checkMessage(schema, raw);
  if (!checked.ok) return { kind: 'invalid', error: `the ${view} view sent a message the host does not take: ${checked.error}: ${excerpt(safeJson(raw))}` };
  if (checked.value.type === 'ready') return { kind: 'ready' };
  return { kind: 'message', message: checked.value as Exclude<z.output<S>, ReadyMessage> };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
