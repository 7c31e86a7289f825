import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { before, test } from 'node:test';
import { tf } from '../../src/engine/backends/tf';
import { evaluateRun } from '../../src/engine/evaluation/run-evaluation';
import { ModelFileError } from '../../src/engine/model/model-file';
import { EngineEventSchema, type EngineEvent } from '../../src/protocol/engine';
import { RunSummarySchema } from '../../src/protocol/run-folder';
import { repoRoot, torchPythonOrSkip } from './pytorch-harness';
import { epochEnds, modelFolder, runOn } from './pytorch-engine-harness';

/** Cancel and resume, mixed precision and its errors, and what a run folder of the pytorch engine holds. */
const python = torchPythonOrSkip();
const skip = python ? false : 'no Python with torch';
before(async () => {
  await tf.setBackend('cpu');
});

const LENET = 'input 28x28x1; conv 6 5x5 pad 2 relu; maxpool 2x2; conv 16 5x5 relu; maxpool 2x2; flatten; dense 32 relu; dense 10 softmax';

test('the cancel line on stdin stops `convlab train --engine pytorch`; the run resumes and ends as an uninterrupted one does', { skip }, async () => {
  const lines = 'data mnist; epochs 2; batch 16; limit 512; seed 9; validation 0.1; optimizer sgd lr 0.05 momentum 0.9; critical "3"';
  const { file, runs } = modelFolder(LENET, lines);
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'convlab.js'), 'train', file, '--engine', 'pytorch', '--runs-dir', runs, '--json'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const events: EngineEvent[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const event = EngineEventSchema.parse(JSON.parse(line));
    events.push(event);
    if (event.type === 'batch' && events.filter((e) => e.type === 'batch').length === 1) child.stdin.write('{"type":"cancel"}\n');
  }
  const code = await new Promise((resolve) => child.on('close', resolve));
  const cancelled = events.at(-1)!;
  assert.equal(code, 130, JSON.stringify(events.slice(-3)));
  assert.ok(cancelled.type === 'cancelled' && cancelled.epoch === 1 && cancelled.batch < 32, JSON.stringify(cancelled));
  const last = join(cancelled.runDir, 'last');
  for (const name of ['model.json', 'weights.bin', 'state_dict.pt', 'state_dict.safetensors', 'state.json', 'training.pt']) assert.ok(existsSync(join(last, name)), `last/${name}`);

  const resumed = await runOn('pytorch', { file, resume: cancelled.runDir });
  const firstBatch = resumed.events.find((e) => e.type === 'batch');
  assert.ok(firstBatch?.type === 'batch' && firstBatch.epoch === 1 && firstBatch.batch > cancelled.batch, 'it goes on with the next batch');
  assert.equal(resumed.events[0]!.type === 'start' && resumed.events[0].resumedFrom, last);
  const whole = await runOn('pytorch', { file, runsDir: runs });
  assert.ok(resumed.final.type === 'done' && whole.final.type === 'done');
  if (resumed.final.type === 'done' && whole.final.type === 'done') {
    assert.ok(Math.abs(resumed.final.testLoss - whole.final.testLoss) < 1e-5, `resumed ${resumed.final.testLoss}, uninterrupted ${whole.final.testLoss}`);
  }
  const summary = RunSummarySchema.parse(JSON.parse(readFileSync(join(cancelled.runDir, 'summary.json'), 'utf8')));
  assert.equal(summary.engine, 'pytorch');
  assert.ok(summary.versions.torch);
  const recorded = readFileSync(join(cancelled.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => EngineEventSchema.parse(JSON.parse(l)).type);
  assert.deepEqual([recorded[0], recorded.at(-1)], ['start', 'done']);
  assert.ok(recorded.includes('cancelled'), 'the run folder keeps both parts of the run');

  // The views read the checkpoint in ConvLab's format: evaluation, with the section's critical class.
  const report = await evaluateRun(cancelled.runDir);
  assert.deepEqual(report.critical.map((c) => c.name), ['3']);
  assert.ok(Math.abs(report.accuracy - resumed.final.testAccuracy) < 0.05 || report.examples > 25, 'evaluation of best/');
});

test('precision bf16 trains on the CPU; fp16 without CUDA and any mixed precision on the tfjs engine are located errors', { skip }, async () => {
  const { file, runs } = modelFolder(LENET, 'data mnist; epochs 1; batch 64; limit 128; seed 1; validation none; precision bf16');
  const bf16 = await runOn('pytorch', { file, runsDir: runs });
  assert.ok(bf16.final.type === 'done' && bf16.final.testAccuracy > 0.1, 'bf16 learns something');
  assert.ok(epochEnds(bf16).every((e) => Number.isFinite(e.loss)));
  const at = (path: string) => `${path}:${readFileSync(path, 'utf8').split('\n').findIndex((l) => l.includes('precision')) + 1}:4: error: `;
  await assert.rejects(runOn('tfjs', { file, runsDir: runs }), (error: unknown) => error instanceof ModelFileError && error.message.startsWith(`${at(file)}precision bf16 needs the pytorch engine`));
  const fp16 = modelFolder(LENET, 'data mnist; epochs 1; precision fp16');
  await assert.rejects(runOn('pytorch', { file: fp16.file, runsDir: fp16.runs }), (error: unknown) => error instanceof ModelFileError && error.message.startsWith(`${at(fp16.file)}precision fp16 needs a CUDA device`));
  assert.ok(!existsSync(fp16.runs), 'nothing was started');
});
