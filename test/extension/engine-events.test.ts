import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyExit, LineSplitter, parseEngineEvent, TailBuffer } from '../../src/extension/jobs/engine-events';
import type { EngineEvent } from '../../src/protocol/engine';

test('LineSplitter joins chunks split anywhere, including inside a CRLF', () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push('{"type":"sta'), []);
  assert.deepEqual(splitter.push('rt"}\r'), []);
  assert.deepEqual(splitter.push('\n{"a":1}\n{"b"'), ['{"type":"start"}', '{"a":1}']);
  assert.deepEqual(splitter.flush(), ['{"b"']);
  assert.deepEqual(splitter.flush(), []);
});

test('parseEngineEvent: events by their type; anything else is not an event', () => {
  assert.deepEqual(parseEngineEvent('{"type":"epochBegin","epoch":1,"epochs":5,"learningRate":0.001,"batches":94}'), { type: 'epochBegin', epoch: 1, epochs: 5, learningRate: 0.001, batches: 94 });
  assert.equal(parseEngineEvent('Platform node has already been set.'), undefined);
  assert.equal(parseEngineEvent('{"type":"unknown"}'), undefined);
  assert.equal(parseEngineEvent('{"no":"type"}'), undefined);
  assert.equal(parseEngineEvent('{torn'), undefined);
  assert.equal(parseEngineEvent('[1,2]'), undefined);
});

test('TailBuffer keeps the last non-blank lines', () => {
  const tail = new TailBuffer(2);
  tail.push('one\n\ntwo\nthr');
  tail.push('ee\nfour');
  tail.flush();
  assert.equal(tail.text(), 'three\nfour');
});

const done: Extract<EngineEvent, { type: 'done' }> = { type: 'done', runDir: '/r', testAccuracy: 0.98, testLoss: 0.05, trainingSeconds: 60, epochsRun: 5, stoppedEarly: false };

test('classifyExit: done with 0, cancelled, an error event, and crashes', () => {
  assert.equal(classifyExit(done, { code: 0, signal: null }, '').kind, 'done');
  assert.equal(classifyExit({ type: 'cancelled', runDir: '/r', epoch: 2, batch: 3, checkpoint: '/r/last' }, { code: 130, signal: null }, '').kind, 'cancelled');
  const error = classifyExit({ type: 'error', message: 'C3: kernel 5×5 is larger than its 4×4 input', location: { file: 'm.cnn', line: 4, column: 3 } }, { code: 1, signal: null }, 'tail');
  assert.deepEqual(error, { kind: 'error', message: 'C3: kernel 5×5 is larger than its 4×4 input', location: { file: 'm.cnn', line: 4, column: 3 }, stderrTail: 'tail' });
  assert.deepEqual(classifyExit(undefined, { code: 134, signal: null }, 'Aborted'), { kind: 'crashed', message: 'the engine exited with code 134 before the run ended', stderrTail: 'Aborted' });
  assert.equal(classifyExit(undefined, { code: null, signal: 'SIGKILL' }, '').kind, 'crashed');
  assert.match((classifyExit(undefined, { code: null, signal: 'SIGKILL' }, '') as { message: string }).message, /killed by SIGKILL/);
  assert.equal(classifyExit(done, { code: 1, signal: null }, '').kind, 'crashed');
});
