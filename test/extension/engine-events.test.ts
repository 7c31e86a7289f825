import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyExit, LineSplitter, readEngineLine, TailBuffer } from '../../src/extension/jobs/engine-events';
import type { EngineEvent } from '../../src/protocol/engine';

test('LineSplitter joins chunks split anywhere, including inside a CRLF', () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push('{"type":"sta'), []);
  assert.deepEqual(splitter.push('rt"}\r'), []);
  assert.deepEqual(splitter.push('\n{"a":1}\n{"b"'), ['{"type":"start"}', '{"a":1}']);
  assert.deepEqual(splitter.flush(), ['{"b"']);
  assert.deepEqual(splitter.flush(), []);
});

test('readEngineLine: events checked against their schema; text is text; a broken event says what and where', () => {
  assert.deepEqual(readEngineLine('{"type":"epochBegin","epoch":1,"epochs":5,"learningRate":0.001,"batches":94}'), { kind: 'event', event: { type: 'epochBegin', epoch: 1, epochs: 5, learningRate: 0.001, batches: 94 } });
  assert.deepEqual(readEngineLine('Platform node has already been set.'), { kind: 'text', line: 'Platform node has already been set.' });
  assert.deepEqual(readEngineLine('[1,2]'), { kind: 'text', line: '[1,2]' });
  const invalid = (line: string) => {
    const read = readEngineLine(line);
    assert.equal(read.kind, 'invalid', line);
    return read.kind === 'invalid' ? read.error : '';
  };
  assert.match(invalid('{"type":"unknown"}'), /at type: /);
  assert.match(invalid('{"no":"type"}'), /at type: /);
  assert.match(invalid('{torn'), /not JSON/);
  assert.match(invalid('{"type":"batch","epoch":1,"batch":2,"batches":3,"loss":"high","accuracy":0.5,"learningRate":0.1,"examplesPerSecond":9}'), /at loss: .*expected number/);
  // JSON has no NaN: a diverged loss is written as null and read back as NaN.
  const diverged = readEngineLine('{"type":"epochEnd","epoch":1,"epochs":1,"learningRate":0.1,"seconds":1,"examplesPerSecond":1,"loss":null,"accuracy":0.1}');
  assert.ok(diverged.kind === 'event' && diverged.event.type === 'epochEnd' && Number.isNaN(diverged.event.loss));
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
