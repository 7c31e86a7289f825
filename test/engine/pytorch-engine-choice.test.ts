import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chooseEngine, EngineChoiceError } from '../../src/engine/pytorch/training/engine-choice';
import { pythonCandidates } from '../../src/engine/pytorch/training/discovery';
import { runRuntime, RuntimeError } from '../../src/engine/pytorch/training/runtime-process';
import { torchPythonOrSkip } from './pytorch-harness';

/**
 * Which engine and which Python. This machine has a Python with torch and no CUDA or MPS device;
 * a machine with CUDA cannot be had here, so a stand-in interpreter (a shell script answering the
 * probe as torch on a CUDA machine would) plays it.
 */
const python = torchPythonOrSkip();
const skip = python ? false : 'no Python with torch';

function fakePython(answer: object): string {
  const path = join(mkdtempSync(join(tmpdir(), 'convlab-fake-python-')), 'python3');
  writeFileSync(path, `#!/bin/sh\nprintf '%s' '${JSON.stringify(answer)}'\n`);
  chmodSync(path, 0o755);
  return path;
}

test('auto keeps tfjs on a machine whose torch has no CUDA or MPS device, and says what it found', { skip }, () => {
  const decision = chooseEngine('auto');
  assert.equal(decision.engine, 'tfjs');
  assert.match(decision.reason, /engine auto chose tfjs: .* has torch .* but no CUDA or MPS device/);
});

test('auto picks pytorch where the Python given has torch and a CUDA device', () => {
  const cuda = fakePython({ pythonVersion: '3.11.2', torch: '2.3.0', cuda: true, cudaDevices: 2, cudaName: 'NVIDIA H200', mps: false });
  const decision = chooseEngine('auto', cuda);
  assert.equal(decision.engine, 'pytorch');
  assert.equal(decision.reason, `engine auto chose pytorch: ${cuda} has torch 2.3.0 and 2 CUDA devices (NVIDIA H200)`);
});

function noTorchPython(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'convlab-no-torch-')), 'python3');
  writeFileSync(path, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
  chmodSync(path, 0o755);
  return path;
}

test('a --python without torch (a pyenv shim) or that does not exist is passed over for the next candidate', { skip }, () => {
  for (const given of [noTorchPython(), '/nowhere/bin/python3', fakePython({ unexpected: true })]) {
    assert.equal(pythonCandidates(given)[0], given, 'the option is tried first');
    const decision = chooseEngine('pytorch', given);
    assert.equal(decision.engine, 'pytorch');
    assert.notEqual(decision.python?.python, given);
  }
});

test('pytorch with no Python that has torch is an error naming every one tried and its answer', () => {
  const savedPath = process.env.PATH;
  const savedPython = process.env.CONVLAB_PYTHON;
  const shim = noTorchPython();
  try {
    process.env.PATH = mkdtempSync(join(tmpdir(), 'convlab-empty-path-'));
    delete process.env.CONVLAB_PYTHON;
    assert.throws(() => chooseEngine('pytorch', shim, []), (error: unknown) => error instanceof EngineChoiceError
      && error.message.includes(`${shim}: ModuleNotFoundError: No module named 'torch'`) && error.message.includes('python3: not found') && error.message.includes('python: not found'));
    assert.match(chooseEngine('auto', shim, []).reason, /^engine auto chose tfjs: no Python with torch \(tried /);
  } finally {
    process.env.PATH = savedPath;
    if (savedPython !== undefined) process.env.CONVLAB_PYTHON = savedPython;
  }
});

/** A stand-in runtime: a script that prints `lines` whatever it is asked, then exits with `code`. */
function fakeRuntime(lines: string[], code = 0, stderr = ''): string {
  const path = join(mkdtempSync(join(tmpdir(), 'convlab-fake-runtime-')), 'python3');
  writeFileSync(path, `#!/bin/sh\ncat <<'EOF'\n${lines.join('\n')}\nEOF\n${stderr ? `echo '${stderr}' >&2\n` : ''}exit ${code}\n`);
  chmodSync(path, 0o755);
  return path;
}

test('each line from the runtime is checked as it arrives: one that is not an engine event stops the run, naming it', async () => {
  const seen: string[] = [];
  const good = JSON.stringify({ type: 'epochBegin', epoch: 1, epochs: 1, learningRate: 0.1, batches: 3 });
  const bad = JSON.stringify({ type: 'batch', epoch: 1, batch: 'two' });
  await assert.rejects(runRuntime(fakeRuntime([good, bad]), 'config.json', { onEvent: (e) => seen.push(e.type), onCheckpoint: async () => {} }),
    (error: unknown) => error instanceof RuntimeError && /output line 2 is not an engine event/.test(error.message) && /batch/.test(error.message));
  assert.deepEqual(seen, ['epochBegin']);
  await assert.rejects(runRuntime(fakeRuntime(['not json']), 'config.json', { onEvent: () => {}, onCheckpoint: async () => {} }), /output line 1 is not an engine event/);
});

test('a runtime that dies before its last event is an error with its last words', async () => {
  const good = JSON.stringify({ type: 'epochBegin', epoch: 1, epochs: 1, learningRate: 0.1, batches: 3 });
  await assert.rejects(runRuntime(fakeRuntime([good], 3, 'RuntimeError: CUDA out of memory'), 'config.json', { onEvent: () => {}, onCheckpoint: async () => {} }),
    (error: unknown) => error instanceof RuntimeError && /stopped with exit code 3 before its run ended/.test(error.message) && /CUDA out of memory/.test(error.message));
  const failed = JSON.stringify({ type: 'error', message: 'PyTorch training failed: ValueError: bad' });
  await assert.rejects(runRuntime(fakeRuntime([failed], 1), 'config.json', { onEvent: () => {}, onCheckpoint: async () => {} }), /PyTorch training failed: ValueError: bad/);
});
