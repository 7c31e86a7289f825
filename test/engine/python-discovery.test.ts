import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findTrainingPython } from '../../src/engine/pytorch/training/discovery';

/**
 * Finding the Python for the pytorch engine (convlab.pythonPath → --python first): fake programs
 * on a PATH of their own stand for a pyenv shim without torch and a Python with it, so the order
 * and the reason given for each candidate passed over are checked without importing torch.
 */
const dir = mkdtempSync(join(tmpdir(), 'convlab-python-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fakeProgram(name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
}

test('the setting first, then python3 and python on PATH: each one passed over is named with why', { skip: process.platform === 'win32' }, () => {
  fakeProgram('python3', 'echo "Traceback (most recent call last):" >&2; echo "ModuleNotFoundError: No module named \'torch\'" >&2; exit 1');
  fakeProgram('python', 'echo \'{"pythonVersion": "3.12.1", "torch": "2.3.0", "cuda": true, "cudaDevices": 2, "cudaName": "H200", "mps": false}\'');
  const saved = { PATH: process.env.PATH, CONVLAB_PYTHON: process.env.CONVLAB_PYTHON };
  process.env.PATH = dir;
  delete process.env.CONVLAB_PYTHON;
  try {
    const search = findTrainingPython(join(dir, 'missing-python'));
    assert.deepEqual(search.tried, [`${join(dir, 'missing-python')}: not found`, "python3: ModuleNotFoundError: No module named 'torch'", 'python: torch 2.3.0']);
    assert.equal(search.found?.python, 'python');
    assert.equal(search.found?.cudaDevices, 2);
  } finally {
    process.env.PATH = saved.PATH;
    if (saved.CONVLAB_PYTHON !== undefined) process.env.CONVLAB_PYTHON = saved.CONVLAB_PYTHON;
  }
});
