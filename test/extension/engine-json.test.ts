import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { EngineCommandCancelled, EngineCommandError, engineMessage, lastJsonLine, runEngineJson } from '../../src/extension/jobs/engine-json';

// Stands in for `convlab eval --json` / `convlab gradcam --json`: one JSON answer on stdout and
// exit 0, or `convlab: MESSAGE` on stderr and exit 1, as src/cli/main.ts does.
const FAKE_ENGINE = `
const mode = process.argv[2];
if (mode === 'answer') {
  process.stderr.write('backend: wasm (no native bindings)\\n');
  process.stdout.write('a stray library line\\n');
  const big = 'x'.repeat(200000);
  setTimeout(() => process.stdout.write(JSON.stringify({ accuracy: 0.98, big }) + '\\n'), 20);
} else if (mode === 'corrupted') {
  process.stdout.write(JSON.stringify({ accuracy: 'high', big: '' }) + '\\n');
} else if (mode === 'refused') {
  process.stderr.write('convlab: runs/LeNet5-1 has no summary.json: evaluate a run that finished training\\n');
  process.exitCode = 1;
} else if (mode === 'crash') {
  process.stderr.write('RangeError: Array buffer allocation failed\\n');
  process.exit(3);
} else if (mode === 'silent') {
  process.stdout.write('done\\n');
} else {
  setTimeout(() => {}, 60000);
}
`;

const Answer = z.object({ accuracy: z.number(), big: z.string() });

function launch(mode: string) {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-fake-json-'));
  const script = join(dir, 'engine.js');
  writeFileSync(script, FAKE_ENGINE);
  return { command: process.execPath, args: [script, mode], cwd: dir, env: {} };
}

test('the JSON answer is read whole (a large one too), after stray lines; stderr goes to the log', async () => {
  const logs: string[] = [];
  const answer = await runEngineJson(Answer, launch('answer'), { onLog: (line) => logs.push(line) });
  assert.equal(answer.accuracy, 0.98);
  assert.equal(answer.big.length, 200000);
  assert.deepEqual(logs, ['backend: wasm (no native bindings)']);
});

test('an answer that breaks its contract is an error that names the field, not a cast', async () => {
  await assert.rejects(runEngineJson(Answer, launch('corrupted')), (error: unknown) => {
    assert.ok(error instanceof EngineCommandError);
    assert.match(error.message, /does not match its contract .*at accuracy: .*expected number/);
    return true;
  });
});

test('a refusal is the engine\'s own message, without its prefix', async () => {
  await assert.rejects(runEngineJson(Answer, launch('refused')), (error: unknown) => {
    assert.ok(error instanceof EngineCommandError);
    assert.equal(error.message, 'runs/LeNet5-1 has no summary.json: evaluate a run that finished training');
    return true;
  });
});

test('a crash says how it ended, with the stderr tail; an answerless success is an error too', async () => {
  await assert.rejects(runEngineJson(Answer, launch('crash')), /the engine exited with code 3:\nRangeError: Array buffer allocation failed/);
  await assert.rejects(runEngineJson(Answer, launch('silent')), /finished without a JSON answer/);
  await assert.rejects(runEngineJson(Answer, { ...launch('answer'), command: join(tmpdir(), 'no-such-node') }), /the engine could not start: spawn .*ENOENT/);
});

test('aborting ends the process and rejects as cancelled', async () => {
  const controller = new AbortController();
  const running = runEngineJson(Answer, launch('hang'), { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(running, (error: unknown) => error instanceof EngineCommandCancelled);
  await assert.rejects(runEngineJson(Answer, launch('hang'), { signal: AbortSignal.abort() }), EngineCommandCancelled);
});

test('engineMessage and lastJsonLine', () => {
  assert.equal(engineMessage('warning: x\nconvlab: unknown command \'evl\'\n\nUsage:\n  convlab eval RUN'), 'unknown command \'evl\'\n\nUsage:\n  convlab eval RUN');
  assert.equal(engineMessage('Segmentation fault'), undefined);
  assert.deepEqual(lastJsonLine('noise\n{"a":1}\n{"b":2}\n'), { b: 2 });
  assert.equal(lastJsonLine('{"torn":'), undefined);
});
