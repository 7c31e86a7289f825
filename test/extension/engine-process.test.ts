import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EngineProcess } from '../../src/extension/jobs/engine-process';
import type { EngineEvent } from '../../src/protocol/engine';

// A stand-in for `convlab train --json` that follows the same contract: events on stdout, a
// cancel line on stdin, exit 0 / 1 / 130, and crashes with stderr.
const FAKE_ENGINE = `
const mode = process.argv[2];
const say = (event) => process.stdout.write(JSON.stringify(event) + '\\n');
say({ type: 'start', runDir: '/runs/M-1', model: 'M', file: 'm.cnn', params: { total: 1, trainable: 1, nonTrainable: 0 }, epochs: 1, batchSize: 8 });
if (mode === 'done') {
  process.stdout.write('a stray library line\\n{"type":"epochEnd","epoch":"one"}\\n{"type":"epochBegin","epoch":1,"epochs":1,');
  setTimeout(() => {
    process.stdout.write('"learningRate":0.1,"batches":2}\\n');
    say({ type: 'done', runDir: '/runs/M-1', testAccuracy: 0.9, testLoss: 0.3, trainingSeconds: 1, epochsRun: 1, stoppedEarly: false });
  }, 20);
} else if (mode === 'cancel') {
  process.stdin.setEncoding('utf8').on('data', (line) => {
    if (JSON.parse(line).type === 'cancel') {
      say({ type: 'cancelled', runDir: '/runs/M-1', epoch: 1, batch: 1, checkpoint: '/runs/M-1/last' });
      process.exit(130);
    }
  });
} else if (mode === 'error') {
  say({ type: 'error', message: 'no dataset named "x"' });
  process.exitCode = 1;
} else {
  process.stderr.write('RangeError: Array buffer allocation failed\\n    at somewhere\\n');
  process.exit(3);
}
`;

function launch(mode: string) {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-fake-engine-'));
  const script = join(dir, 'engine.js');
  writeFileSync(script, FAKE_ENGINE);
  const events: EngineEvent[] = [];
  const logs: string[] = [];
  const invalid: string[] = [];
  const engine = new EngineProcess({ command: process.execPath, args: [script, mode], cwd: dir, env: {} }, {
    onEvent: (event) => events.push(event),
    onLog: (line, stream) => logs.push(`${stream}: ${line}`),
    onInvalid: (error) => invalid.push(error),
  });
  return { engine, events, logs, invalid };
}

test('events arrive typed, split chunks joined, stray lines logged, a corrupted event reported where and why; done with exit 0', async () => {
  const { engine, events, logs, invalid } = launch('done');
  const outcome = await engine.outcome;
  assert.equal(outcome.kind, 'done');
  assert.deepEqual(events.map((e) => e.type), ['start', 'epochBegin', 'done']);
  assert.deepEqual(logs, ['stdout: a stray library line']);
  assert.equal(invalid.length, 1);
  assert.match(invalid[0]!, /^engine stdout line 3: not an engine event .*at epoch: .*expected number/);
});

test('cancel writes the cancel line and the run ends cancelled with its checkpoint', async () => {
  const { engine, events } = launch('cancel');
  await new Promise((resolve) => setTimeout(resolve, 100));
  engine.cancel();
  engine.cancel();
  assert.equal(engine.cancelling, true);
  const outcome = await engine.outcome;
  assert.equal(outcome.kind, 'cancelled');
  if (outcome.kind === 'cancelled') assert.equal(outcome.event.checkpoint, '/runs/M-1/last');
  assert.equal(events.at(-1)?.type, 'cancelled');
});

test('an error event is an error; an exit without a final event is a crash with the stderr tail', async () => {
  const error = await launch('error').engine.outcome;
  assert.equal(error.kind, 'error');
  const crash = launch('crash');
  const crashed = await crash.engine.outcome;
  assert.equal(crashed.kind, 'crashed');
  if (crashed.kind === 'crashed') {
    assert.match(crashed.message, /exited with code 3 before the run ended/);
    assert.match(crashed.stderrTail, /RangeError: Array buffer allocation failed/);
  }
  assert.ok(crash.logs.some((l) => l.startsWith('stderr: RangeError')));
});

test('a command that does not exist is a crash that says it could not start', async () => {
  const engine = new EngineProcess({ command: join(tmpdir(), 'no-such-node'), args: [], cwd: tmpdir(), env: {} }, { onEvent: () => {}, onLog: () => {}, onInvalid: () => {} });
  const outcome = await engine.outcome;
  assert.equal(outcome.kind, 'crashed');
  if (outcome.kind === 'crashed') assert.match(outcome.message, /could not start/);
});
