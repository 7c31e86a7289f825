import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobQueue } from '../../src/extension/jobs/job-queue';

test('one at a time by default: the next starts when the first finishes', () => {
  const queue = new JobQueue<string>(1);
  queue.enqueue('a');
  queue.enqueue('b');
  queue.enqueue('c');
  assert.deepEqual(queue.next(), ['a']);
  assert.deepEqual(queue.next(), []);
  assert.equal(queue.position('b'), 0);
  assert.equal(queue.position('c'), 1);
  queue.finish('a');
  assert.deepEqual(queue.next(), ['b']);
  assert.deepEqual(queue.runningJobs, ['b']);
  assert.deepEqual(queue.waitingJobs, ['c']);
});

test('a waiting job can be withdrawn; a running one cannot', () => {
  const queue = new JobQueue<string>(1);
  queue.enqueue('a');
  queue.enqueue('b');
  queue.next();
  assert.equal(queue.withdraw('a'), false);
  assert.equal(queue.withdraw('b'), true);
  queue.finish('a');
  assert.deepEqual(queue.next(), []);
});

test('raising the limit starts waiting jobs; lowering it stops none', () => {
  const queue = new JobQueue<number>(1);
  [1, 2, 3, 4].forEach((n) => queue.enqueue(n));
  assert.deepEqual(queue.next(), [1]);
  queue.setMaxConcurrent(3);
  assert.deepEqual(queue.next(), [2, 3]);
  queue.setMaxConcurrent(1);
  assert.deepEqual(queue.next(), []);
  assert.equal(queue.runningJobs.length, 3);
  queue.finish(1);
  queue.finish(2);
  assert.deepEqual(queue.next(), []);
  queue.finish(3);
  assert.deepEqual(queue.next(), [4]);
});

test('a nonsense limit means one', () => {
  assert.equal(new JobQueue(0).limit, 1);
  assert.equal(new JobQueue(Number.NaN).limit, 1);
  assert.equal(new JobQueue(2.7).limit, 2);
});
