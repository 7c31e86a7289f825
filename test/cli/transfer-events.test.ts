import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LineSplitter, readEngineLine } from '../../src/extension/jobs/engine-events';
import { RunProgress } from '../../src/extension/jobs/run-progress';
import { replayRun } from '../../src/extension/runs/run-replay';
import { readGradientFlow } from '../../src/extension/runs/gradient-flow-runs';
import type { EngineEvent } from '../../src/protocol/engine';
import { saveBase, writeTransferModel } from '../fixtures/tiny-base';

// The built CLI, as the job manager runs it, on a two-stage transfer run; its stdout read by
// the extension's own reader, in uneven chunks as a pipe delivers them.
const root = join(__dirname, '..', '..');
const cli = join(root, 'bin', 'convlab.js');

test('every line a real two-stage transfer run prints is an event the extension reads: none dropped, stages included; its run folder replays the same events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-transfer-events-'));
  await saveBase(join(dir, 'base'));
  const file = writeTransferModel(dir, 96, 'none');
  const result = spawnSync(process.execPath, [cli, 'train', file, '--json', '--runs-dir', join(dir, 'runs'), '--gradient-flow', '1'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);

  const printed = result.stdout.split('\n').filter((line) => line.trim() !== '');
  const splitter = new LineSplitter();
  const lines: string[] = [];
  for (let at = 0; at < result.stdout.length; at += 37) lines.push(...splitter.push(result.stdout.slice(at, at + 37)));
  lines.push(...splitter.flush());
  const events: EngineEvent[] = [];
  for (const line of lines.filter((l) => l.trim() !== '')) {
    const read = readEngineLine(line);
    assert.equal(read.kind, 'event', `dropped: ${line}${read.kind === 'invalid' ? ` (${read.error})` : ''}`);
    if (read.kind === 'event') events.push(read.event);
  }
  assert.equal(events.length, printed.length);
  assert.deepEqual(events.map((e) => e.type), printed.map((line) => (JSON.parse(line) as { type: string }).type));
  const stages = events.filter((e) => e.type === 'stage');
  assert.deepEqual(stages.map((s) => s.type === 'stage' && [s.stage, s.name, s.fromEpoch]), [[1, 'train', 1], [2, 'fine-tune', 2]]);
  assert.equal(events.at(-1)?.type, 'done');

  // The run folder keeps the same events: a replay is the run; the gradient flow is kept apart.
  const start = events[0]!;
  assert.ok(start.type === 'start');
  const problems: string[] = [];
  assert.deepEqual(replayRun(start.runDir, problems).events, events.filter((e) => e.type !== 'gradientFlow'));
  assert.deepEqual(problems, []);
  const flows = events.filter((e) => e.type === 'gradientFlow');
  // Every step recorded (--gradient-flow 1); fine-tuning thaws layers, so it measures more of them.
  const epochOf = (n: number) => flows.filter((e) => e.type === 'gradientFlow' && e.epoch === n).map((e) => e.type === 'gradientFlow' ? e.layers.filter((l) => l.gradientNorm !== undefined).length : 0);
  assert.ok(epochOf(1).length > 0 && epochOf(2).length > 0, 'recorded in both stages');
  assert.ok(epochOf(2)[0]! > epochOf(1)[0]!, `layers with gradients: ${epochOf(1)[0]} in training the head, ${epochOf(2)[0]} in fine-tuning`);
  assert.deepEqual(readGradientFlow(start.runDir, problems), flows);
  assert.deepEqual(problems, []);

  const progress = new RunProgress('Transfer');
  events.forEach((event) => progress.apply(event));
  assert.deepEqual(progress.events.filter((e) => e.type === 'stage').length, 2, 'the run\'s progress keeps the stage events for a late dashboard');
});
