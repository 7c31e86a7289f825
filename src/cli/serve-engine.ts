import { createInterface } from 'node:readline';
import { statSync } from 'node:fs';
import { inspectLayer, loadInspectable, type InspectableModel } from '../engine/explanation/feature-maps';
import { ServeEngineRequestSchema, type ServeEngineReply } from '../protocol/explain';
import type { EngineReply } from '../protocol/inspect';
import { ExampleCache, explainRequest } from './serve-explain';
import { sampleInput } from '../engine/explanation/sample-input';
import type { SampleInputReply } from '../protocol/sample-input';
import { excerpt, parseMessage } from '../protocol/validate';

/**
 * `convlab serve-engine`: a long-lived engine for the extension. Requests and replies are JSON
 * lines on stdio; a loaded model is kept until its file or run changes, so asking for another
 * layer or image does not rebuild it.
 */
export async function serveEngine(): Promise<number> {
  const cache = new Map<string, { stamp: string; model: Promise<InspectableModel> }>();
  const examples = new ExampleCache();
  const reply = (message: EngineReply | ServeEngineReply | SampleInputReply): void => {
    process.stdout.write(`${JSON.stringify(message)}\n`);
  };
  const lines = createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const checked = parseMessage(ServeEngineRequestSchema, line);
    if (!checked.ok) {
      // The id, when the line has a readable one, lets the client fail that request at once.
      const message = `serve-engine: stdin line ${lineNumber} is not a request (src/protocol/inspect.ts, explain.ts): ${checked.error}: ${excerpt(line)}`;
      process.stderr.write(`${message}\n`);
      reply({ id: idOf(line), error: { message } });
      continue;
    }
    const request = checked.value;
    if (request.method === 'shutdown') break;
    if (request.method === 'sampleInput') {
      // Reads a dataset, not the model's weights: it needs no compiled model from the cache.
      const { id, params } = request;
      queue = queue.then(() => sampleInput(params).then(
        (result) => reply({ id, result }),
        (error: unknown) => reply({ id, error: { message: messageOf(error) } }),
      ));
      continue;
    }
    const params = request.params;
    // One request at a time: TensorFlow.js work is synchronous, and order keeps replies simple.
    queue = queue.then(async () => {
      const key = `${params.file}\u0000${params.model ?? ''}\u0000${params.run ?? ''}`;
      const stamp = stampOf(params.file, params.run);
      let entry = cache.get(key);
      if (!entry || entry.stamp !== stamp) {
        if (entry) disposeWhenLoaded(entry.model);
        entry = { stamp, model: loadInspectable(params) };
        cache.set(key, entry);
      }
      let model: InspectableModel;
      try {
        model = await entry.model;
      } catch (error) {
        // A model that failed to load is not kept: the next request tries again.
        cache.delete(key);
        reply({ id: request.id, error: { message: messageOf(error) } });
        return;
      }
      try {
        const result = request.method === 'inspect' ? await inspectLayer(model, request.params) : await explainRequest(model, examples, request);
        reply({ id: request.id, result } as EngineReply | ServeEngineReply);
      } catch (error) {
        // A bad layer name or image is this request's problem: the loaded model stays cached.
        reply({ id: request.id, error: { message: messageOf(error) } });
      }
    });
  }
  await queue;
  for (const entry of cache.values()) disposeWhenLoaded(entry.model);
  // A shutdown request ends the loop while stdin is still open; let go of it so the process exits.
  lines.close();
  process.stdin.destroy();
  return 0;
}

function disposeWhenLoaded(model: Promise<InspectableModel>): void {
  model.then((m) => m.compiled.model.dispose(), () => {});
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A request's id read leniently from a line that failed its check; -1 when there is none. */
function idOf(line: string): number {
  try {
    const id: unknown = (JSON.parse(line) as { id?: unknown }).id;
    return typeof id === 'number' && Number.isInteger(id) ? id : -1;
  } catch {
    return -1;
  }
}

function stampOf(file: string, run?: string): string {
  const mtime = (path: string) => {
    try {
      return String(statSync(path).mtimeMs);
    } catch {
      return 'missing';
    }
  };
  return `${mtime(file)}:${run ? mtime(`${run}/best/model.json`) + mtime(`${run}/last/model.json`) : ''}`;
}
