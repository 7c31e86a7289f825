import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, torchPythonOrSkip } from './pytorch-harness';

/**
 * The PyTorch runtime's parts on their own (test/python/test_train_runtime.py, one Python
 * process): every augmentation's transform, the loss with smoothing, class weights and aux heads,
 * the schedule, the data loader's order and resume skip, atomic checkpoints, bf16 autocast on CPU.
 */
const python = torchPythonOrSkip();

test('the runtime\'s unit tests pass under python3 with torch', { skip: python ? false : 'no Python with torch' }, () => {
  const result = spawnSync(python!, [join(repoRoot, 'test', 'python', 'test_train_runtime.py')], {
    encoding: 'utf8', timeout: 120_000, env: { ...process.env, PYTHONPATH: join(repoRoot, 'python') },
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /Ran \d+ tests[\s\S]*OK/);
});
