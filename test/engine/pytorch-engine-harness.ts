import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { pngBytes } from '../fixtures/datasets';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, type TrainOptions } from '../../src/engine/training/trainer';
import { EngineEventSchema, type CancelledEvent, type DoneEvent, type EngineEvent, type EpochEndEvent } from '../../src/protocol/engine';

/** Shared by the pytorch engine's tests: a model file in a fresh folder, runs on either engine. */

export function modelFolder(model: string, trainLines: string, name = 'Tiny'): { dir: string; file: string; runs: string } {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-torch-engine-'));
  const file = join(dir, 'model.cnn');
  writeFileSync(file, `model ${name} {\n  ${model.split(';').join('\n  ')}\n}\ntrain ${name} {\n  ${trainLines.split(';').join('\n  ')}\n}\n`);
  return { dir, file, runs: join(dir, 'runs') };
}

export interface Run {
  final: DoneEvent | CancelledEvent;
  events: EngineEvent[];
}

/** A run on one engine; every event is checked against the extension's schema as it comes. */
export async function runOn(engine: 'tfjs' | 'pytorch', options: Omit<TrainOptions, 'onEvent'> & { onEvent?: (event: EngineEvent) => void }): Promise<Run> {
  const events: EngineEvent[] = [];
  const final = await train({
    batchEventInterval: 0, workers: 1, ...options, engine,
    onEvent: (event) => {
      const checked = EngineEventSchema.safeParse(JSON.parse(JSON.stringify(event)));
      if (!checked.success) throw new Error(`${engine}: an event that does not fit the schema: ${JSON.stringify(event)}`);
      events.push(event);
      options.onEvent?.(event);
    },
  });
  return { final, events };
}

export const epochEnds = (run: Run): EpochEndEvent[] => run.events.filter((e): e is EpochEndEvent => e.type === 'epochEnd');

/** |a − b| within `tolerance` of the larger, or both missing. */
export function close(a: number | undefined, b: number | undefined, tolerance: number): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

/** An image folder in torchvision's layout (ROOT/train|val|test/<class>/*.png): two classes of 12×12 colour images. */
export function writeShapes(root: string, perClass: { train: number; val?: number; test: number }): void {
  for (const [split, count] of Object.entries(perClass)) {
    for (const [c, name] of ['bright', 'striped'].entries()) {
      mkdirSync(join(root, split, name), { recursive: true });
      for (let n = 0; n < (count ?? 0); n++) {
        const png = pngBytes(12, 12, (x, y) => (c === 0 ? [200 + ((x * 3 + n) % 50), 180, 90 + y * 5] : [(x % 3) * 100, (y * 20 + n) % 256, 40]));
        writeFileSync(join(root, split, name, `${split}-${n}.png`), png);
      }
    }
  }
}
