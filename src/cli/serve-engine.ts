import { createInterface } from 'node:readline';
import { statSync } from 'node:fs';
import { inspectLayer, loadInspectable, type InspectableModel } from '../engine/explanation/feature-maps';
import type { EngineReply, EngineRequest } from '../protocol/inspect';

/**
 * `convlab serve-engine`: a long-lived engine for the extension. Requests and replies are JSON
 * lines on stdio; a loaded model is kept until its file or run changes, so asking for another
 * layer or image does not rebuild it.
 */
export async function serveEngine(): Promise<number> {
  const cache = new Map<string, { stamp: string; model: Promise<InspectableModel> }>();
  const reply = (message: EngineReply) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const lines = createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let request: EngineRequest;
    try {
      request = JSON.parse(line) as EngineRequest;
    } catch {
      reply({ id: -1, error: { message: `not a JSON request: ${line.slice(0, 80)}` } });
      continue;
    }
    if (request.method === 'shutdown') break;
    // One request at a time: TensorFlow.js work is synchronous, and order keeps replies simple.
    queue = queue.then(async () => {
      const params = request.method === 'inspect' ? request.params : undefined;
      const key = params ? `${params.file}\u0000${params.model ?? ''}\u0000${params.run ?? ''}` : '';
      try {
        if (!params) throw new Error(`unknown method '${(request as { method: string }).method}'`);
        const stamp = stampOf(params.file, params.run);
        let entry = cache.get(key);
        if (!entry || entry.stamp !== stamp) {
          entry?.model.then((m) => m.compiled.model.dispose(), () => {});
          entry = { stamp, model: loadInspectable(params) };
          cache.set(key, entry);
        }
        reply({ id: request.id, result: await inspectLayer(await entry.model, params) });
      } catch (error) {
        // A model that failed to load is not kept: the next request tries again.
        cache.delete(key);
        reply({ id: request.id, error: { message: error instanceof Error ? error.message : String(error) } });
      }
    });
  }
  await queue;
  // A shutdown request ends the loop while stdin is still open; let go of it so the process exits.
  lines.close();
  process.stdin.destroy();
  return 0;
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
