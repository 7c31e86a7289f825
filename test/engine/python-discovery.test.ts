import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { describeDiscovery, discoverTorchPython, probePython, pythonCandidates, torchIsRecentEnough, type ProbeResult } from '../../src/engine/pytorch/python-discovery';

const dir = mkdtempSync(join(tmpdir(), 'convlab-python-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fake program on a fake PATH: a shell script that answers as the given Python would. */
function fakeProgram(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const answers: Record<string, ProbeResult> = {
  '/venv/bin/python': { ok: true, output: '{"python": "3.12.1", "torch": "2.3.0+cu121", "cuda": 2, "mps": false}' },
  '/old/python': { ok: true, output: '{"python": "3.9.2", "torch": "1.12.1", "cuda": 0, "mps": false}' },
  '/shim/python3': { ok: true, output: '{"python": "3.11.4", "error": "ModuleNotFoundError: No module named \'torch\'"}' },
  '/usr/bin/python3': { ok: true, output: '{"python": "3.11.2", "torch": "1.13.0a0", "cuda": 0, "mps": false}' },
};
const probe = (command: string): ProbeResult => answers[command] ?? { ok: false, reason: 'not found' };

test('the order: --python, CONVLAB_PYTHON, python3 on PATH, /usr/bin/python3, python on PATH', { skip: process.platform === 'win32' }, () => {
  const python3 = fakeProgram('python3', 'exit 1');
  const python = fakeProgram('python', 'exit 1');
  const candidates = pythonCandidates({ configured: '.venv/bin/python', configuredOrigin: 'convlab.pythonPath', env: { PATH: dir, CONVLAB_PYTHON: '/opt/py' }, platform: 'linux' });
  assert.deepEqual(candidates.map((c) => `${c.command} (${c.origin})`), [
    '.venv/bin/python (convlab.pythonPath)', '/opt/py (CONVLAB_PYTHON)', `${python3} (python3 on PATH)`, "/usr/bin/python3 (the system's python3)", `${python} (python on PATH)`,
  ]);
});

test('a shim without torch and an old torch are passed over with the reason; the first good one wins', () => {
  const discovery = discoverTorchPython({ configured: '/old/python', env: { PATH: '', CONVLAB_PYTHON: '/shim/python3' }, platform: 'linux', probe });
  assert.equal(discovery.found?.command, '/usr/bin/python3');
  assert.equal(discovery.found?.torch, '1.13.0a0');
  assert.deepEqual(discovery.rejected.map((r) => r.reason), ['torch 1.12.1 is older than 1.13', "Python 3.11.4 has no usable torch (ModuleNotFoundError: No module named 'torch')"]);
  const line = describeDiscovery(discovery);
  assert.match(line, /^Python 3\.11\.2 with torch 1\.13\.0a0 at \/usr\/bin\/python3 \(the system's python3\), no CUDA or MPS device; passed over \/old\/python \(--python\): torch 1\.12\.1 is older/);
  assert.match(line, /\/shim\/python3 \(CONVLAB_PYTHON\): Python 3\.11\.4 has no usable torch/);
});

test('the configured Python with CUDA is taken first and its devices counted', () => {
  const discovery = discoverTorchPython({ configured: '/venv/bin/python', env: { PATH: '' }, platform: 'linux', probe });
  assert.deepEqual(discovery.rejected, []);
  assert.equal(discovery.found?.cudaDevices, 2);
  assert.match(describeDiscovery(discovery), /torch 2\.3\.0\+cu121 .* 2 CUDA device\(s\)$/);
});

test('nothing found: the error names every candidate and how to fix it', () => {
  const discovery = discoverTorchPython({ configured: '/nowhere/python', env: { PATH: '' }, platform: 'linux', probe: () => ({ ok: false, reason: 'not found' }) });
  assert.equal(discovery.found, undefined);
  const line = describeDiscovery(discovery);
  assert.match(line, /^no Python with torch 1\.13 or later found: tried \/nowhere\/python \(--python\): not found; \/usr\/bin\/python3 \(the system's python3\): not found\./);
  assert.match(line, /convlab\.pythonPath \(--python\)/);
});

test('real probes: a missing program, one that fails, one that answers nonsense, each with its reason', { skip: process.platform === 'win32' }, () => {
  const failing = fakeProgram('failing-python', 'echo "pyenv: python3: command not found" >&2; exit 127');
  const chatty = fakeProgram('chatty-python', 'echo hello');
  // The system's python3 is left out here: importing torch there takes seconds and is not the point.
  const realProbe = (command: string): ProbeResult => (command === '/usr/bin/python3' ? { ok: false, reason: 'left out' } : probePython(command));
  const discovery = discoverTorchPython({ configured: join(dir, 'missing'), env: { PATH: '', CONVLAB_PYTHON: chatty }, platform: 'linux', probe: realProbe });
  assert.deepEqual(discovery.rejected.map((r) => r.reason), ['not found', 'answered something other than the probe\'s JSON: "hello"', 'left out']);
  assert.deepEqual(probePython(failing), { ok: false, reason: 'exited with 127: pyenv: python3: command not found' });
});

test('torch versions: 1.13 and later, local builds included', () => {
  assert.ok(torchIsRecentEnough('1.13.0a0'));
  assert.ok(torchIsRecentEnough('2.0.1+cu118'));
  assert.ok(torchIsRecentEnough('1.13.1'));
  assert.ok(!torchIsRecentEnough('1.12.1'));
  assert.ok(!torchIsRecentEnough('0.4.1'));
  assert.ok(!torchIsRecentEnough('garbage'));
});
