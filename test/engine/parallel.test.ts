import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineEvent, EpochEndEvent, GradientFlowEvent } from '../../src/protocol/engine';
import { train } from '../../src/engine/training/trainer';

// Replica workers run the TypeScript source under tsx here (the CLI runs dist/engine-worker.js).
function modelFile(body: string, settings: string): { file: string; runs: string } {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-parallel-'));
  const file = join(dir, 'm.cnn');
  writeFileSync(file, `model M {\n  input 28x28x1\n  ${body}\n}\ntrain M {\n  data mnist\n  ${settings.split(';').join('\n  ')}\n}\n`);
  return { file, runs: join(dir, 'runs') };
}

async function epochs(file: string, runs: string, workers: number, gradientFlowInterval?: number): Promise<{ ends: EpochEndEvent[]; done: EngineEvent; flows: GradientFlowEvent[] }> {
  const events: EngineEvent[] = [];
  const done = await train({ file, runsDir: runs, workers, gradientFlowInterval, onEvent: (e) => events.push(e) });
  return { ends: events.filter((e): e is EpochEndEvent => e.type === 'epochEnd'), done, flows: events.filter((e): e is GradientFlowEvent => e.type === 'gradientFlow') };
}

test('two replicas train as one thread does: the same losses up to float rounding', async () => {
  // An odd example count, so the last batch of 65 % 32 = 1 example goes to one replica only.
  const { file, runs } = modelFile('conv 4 3x3 relu\n  maxpool 2x2\n  flatten\n  dense 10 softmax', 'epochs 2; batch 32; limit 257; validation none; seed 7');
  const serial = await epochs(file, runs, 1, 4);
  const parallel = await epochs(file, runs, 2, 4);
  serial.ends.forEach((end, i) => {
    const other = parallel.ends[i]!;
    assert.ok(Math.abs(end.loss - other.loss) < 1e-4 * Math.max(1, end.loss), `epoch ${i + 1}: ${end.loss} against ${other.loss}`);
    assert.ok(Math.abs(end.accuracy - other.accuracy) < 0.01);
  });
  assert.equal(serial.done.type, 'done');
  assert.equal(parallel.done.type, 'done');
  if (serial.done.type === 'done' && parallel.done.type === 'done') assert.ok(Math.abs(serial.done.testLoss - parallel.done.testLoss) < 1e-3);
  // Gradient flow measured across replicas (averaged gradients, replica 0's update, relus dead on
  // every share) is the one thread's, the last batch of one example included.
  assert.deepEqual(parallel.flows.map((f) => f.step), serial.flows.map((f) => f.step));
  assert.deepEqual(serial.flows.map((f) => f.step), [1, 5, 9, 13, 17]);
  serial.flows.forEach((flow, i) => {
    flow.layers.forEach((layer, l) => {
      const other = parallel.flows[i]!.layers[l]!;
      assert.equal(other.name, layer.name);
      for (const key of ['gradientNorm', 'weightNorm', 'updateRatio', 'deadFraction'] as const) {
        if (layer[key] === undefined) continue;
        assert.ok(Math.abs(layer[key] - other[key]!) <= 2e-3 * Math.abs(layer[key]) + 1e-6, `step ${flow.step} ${layer.name} ${key}: ${layer[key]} against ${other[key]}`);
      }
    });
  });
});

test('replicas with batchnorm and dropout cancel, save and resume', async () => {
  const { file, runs } = modelFile('conv 4 3x3 nobias\n  batchnorm\n  relu\n  maxpool 2x2\n  flatten\n  dropout 0.2\n  dense 10 softmax', 'epochs 2; batch 32; limit 256; validation 0.1; seed 3; optimizer adam lr 0.01');
  const controller = new AbortController();
  const cancelled = await train({
    file, runsDir: runs, workers: 2, signal: controller.signal, batchEventInterval: 0,
    onEvent: (e) => {
      if (e.type === 'batch' && e.epoch === 2 && e.batch === 3) controller.abort();
    },
  });
  assert.equal(cancelled.type, 'cancelled');
  const done = await train({ file, resume: cancelled.runDir, workers: 2, onEvent: () => {} });
  assert.equal(done.type, 'done');
  if (done.type === 'done') assert.ok(done.testAccuracy > 0.4, `test accuracy ${done.testAccuracy}`);
});
