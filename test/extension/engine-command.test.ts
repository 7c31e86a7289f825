import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { engineFor, evalArguments, gradCamArguments, resolveFolder, resolveProgram, serveArguments, serveEngineArguments, trainArguments, type TrainSettings } from '../../src/extension/jobs/engine-command';
import { chooseEngineRuntime, findNodeOnPath } from '../../src/extension/jobs/node-runtime';

const target = { file: '/work/m/lenet5.cnn', model: 'LeNet5', baseDir: '/work/m' };
const defaults: TrainSettings = { backend: 'auto', runsDir: 'runs' };

test('the train command line: file, --json, model, runs folder and the engine setting; nothing the user left unset', () => {
  assert.deepEqual(trainArguments('/ext/bin/convlab.js', target, defaults), [
    '/ext/bin/convlab.js', 'train', '/work/m/lenet5.cnn', '--json', '--model', 'LeNet5', '--runs-dir', '/work/m/runs', '--engine', 'auto',
  ]);
});

test('each setting becomes its flag, folders resolved against the workspace folder', () => {
  const args = trainArguments('cli.js', target, { backend: 'wasm', runsDir: '/tmp/runs', dataDir: 'data', nativeModulesDir: '~/tf', trainLimit: 500 });
  assert.deepEqual(args.slice(6), ['--runs-dir', '/tmp/runs', '--data-dir', '/work/m/data', '--backend', 'wasm', '--native-dir', join(homedir(), 'tf'), '--limit', '500', '--engine', 'tfjs']);
});

test('the gradient-flow interval goes to --gradient-flow, 0 (off) included; unset leaves the engine\'s default', () => {
  assert.deepEqual(trainArguments('cli.js', target, { backend: 'auto', runsDir: 'runs', gradientFlowInterval: 50 }).slice(-2), ['--gradient-flow', '50']);
  assert.deepEqual(trainArguments('cli.js', target, { backend: 'auto', runsDir: 'runs', gradientFlowInterval: 0 }).slice(-2), ['--gradient-flow', '0']);
  assert.ok(!trainArguments('cli.js', target, { backend: 'auto', runsDir: 'runs' }).includes('--gradient-flow'));
});

test('a zero or blank setting is the same as unset', () => {
  const args = trainArguments('cli.js', target, { backend: 'auto', runsDir: 'runs', dataDir: '  ', nativeModulesDir: '', trainLimit: 0 });
  assert.ok(!args.includes('--data-dir') && !args.includes('--native-dir') && !args.includes('--limit') && !args.includes('--backend'));
});

test('convlab.engine and convlab.pythonPath: --engine always (the CLI defaults to tfjs), --python resolved like a folder when it is a path', () => {
  assert.deepEqual(trainArguments('cli.js', target, { ...defaults, engine: 'pytorch', pythonPath: '.venv/bin/python' }).slice(8), ['--engine', 'pytorch', '--python', '/work/m/.venv/bin/python']);
  assert.deepEqual(trainArguments('cli.js', target, { ...defaults, engine: 'auto', pythonPath: 'python3.11' }).slice(8), ['--engine', 'auto', '--python', 'python3.11']);
  assert.deepEqual(trainArguments('cli.js', target, defaults).slice(8), ['--engine', 'auto']);
  // tfjs never starts Python, so its path would only be a flag the engine must refuse or ignore.
  assert.deepEqual(trainArguments('cli.js', target, { ...defaults, engine: 'tfjs', pythonPath: '/usr/bin/python3' }).slice(8), ['--engine', 'tfjs']);
});

test('convlab.engine with convlab.backend: auto with a backend only TensorFlow.js has is tfjs; pytorch keeps the backend for the engine to judge', () => {
  for (const backend of ['webgpu', 'native', 'wasm', 'cpu'] as const) assert.equal(engineFor({ engine: 'auto', backend }), 'tfjs', backend);
  assert.equal(engineFor({ engine: 'auto', backend: 'cuda' }), 'auto');
  assert.equal(engineFor({ engine: 'auto', backend: 'auto' }), 'auto');
  assert.equal(engineFor({ backend: 'auto' }), 'auto');
  assert.equal(engineFor({ engine: 'pytorch', backend: 'wasm' }), 'pytorch');
  assert.deepEqual(trainArguments('cli.js', target, { ...defaults, engine: 'pytorch', backend: 'cuda' }).slice(8), ['--backend', 'cuda', '--engine', 'pytorch']);
});

test('resolveProgram: a bare command stays for PATH, a path resolves', () => {
  assert.equal(resolveProgram('python3', '/base', '/home/u'), 'python3');
  assert.equal(resolveProgram('~/miniconda3/bin/python', '/base', '/home/u'), '/home/u/miniconda3/bin/python');
  assert.equal(resolveProgram('/usr/bin/python3', '/base', '/home/u'), '/usr/bin/python3');
  assert.equal(resolveProgram('venv\\Scripts\\python.exe', '/base', '/home/u'), resolveFolder('venv\\Scripts\\python.exe', '/base', '/home/u'));
});

test('resolveFolder: absolute stays, ~ is home, relative is from the base', () => {
  assert.equal(resolveFolder('/abs/x', '/base', '/home/u'), '/abs/x');
  assert.equal(resolveFolder('~', '/base', '/home/u'), '/home/u');
  assert.equal(resolveFolder('~/data', '/base', '/home/u'), '/home/u/data');
  assert.equal(resolveFolder('../data', '/base/ws', '/home/u'), '/base/data');
});

test('serve-engine runs the same CLI', () => {
  assert.deepEqual(serveEngineArguments('/ext/bin/convlab.js'), ['/ext/bin/convlab.js', 'serve-engine']);
});

function fakeNodeFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-path-'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'node'), '#!/bin/sh\necho v22.1.0\n');
  chmodSync(join(dir, 'bin', 'node'), 0o755);
  writeFileSync(join(dir, 'node'), 'not executable');
  return dir;
}

test('findNodeOnPath finds an executable node and skips a plain file of that name', { skip: process.platform === 'win32' }, () => {
  const dir = fakeNodeFolder();
  assert.equal(findNodeOnPath(`${dir}:${join(dir, 'bin')}`), join(dir, 'bin', 'node'));
  assert.equal(findNodeOnPath(dir), undefined);
  assert.equal(findNodeOnPath(undefined), undefined);
});

test('the runtime: configured node first, then PATH, else the host with ELECTRON_RUN_AS_NODE', async () => {
  const versions: Record<string, number | undefined> = { '/opt/node18': 18, '/opt/node22': 22, '/broken': undefined };
  const probe = async (command: string) => versions[command];
  const configured = await chooseEngineRuntime({ configuredNode: '/opt/node22', hostExecutable: '/vscode/code', probe });
  assert.equal(configured.command, '/opt/node22');
  assert.deepEqual(configured.env, {});

  const old = await chooseEngineRuntime({ configuredNode: '/opt/node18', hostExecutable: '/vscode/code', probe, pathVariable: '' });
  assert.equal(old.command, '/vscode/code');
  assert.deepEqual(old.env, { ELECTRON_RUN_AS_NODE: '1' });
  assert.match(old.notes[0]!, /Node 18; the engine needs 20/);

  const broken = await chooseEngineRuntime({ configuredNode: '/broken', hostExecutable: '/vscode/code', probe, pathVariable: '' });
  assert.equal(broken.command, '/vscode/code');
  assert.match(broken.notes[0]!, /did not run/);
});

test('the runtime probes a real node on PATH', { skip: process.platform === 'win32' }, async () => {
  const dir = fakeNodeFolder();
  const chosen = await chooseEngineRuntime({ hostExecutable: '/vscode/code', pathVariable: join(dir, 'bin') });
  assert.equal(chosen.command, join(dir, 'bin', 'node'));
  assert.match(chosen.description, /Node 22 from PATH/);
});

test('the eval command line: run folder and --json; data folder and backend from the settings', () => {
  assert.deepEqual(evalArguments('cli.js', '/work/m/runs/LeNet5-20250101-120000', { backend: 'auto' }, '/work/m'), ['cli.js', 'eval', '/work/m/runs/LeNet5-20250101-120000', '--json']);
  assert.deepEqual(evalArguments('cli.js', '/r', { backend: 'wasm', dataDir: 'data' }, '/work/m'), ['cli.js', 'eval', '/r', '--json', '--data-dir', '/work/m/data', '--backend', 'wasm']);
});

test('the gradcam command line: model, run, one input, and only the layer and class that were chosen', () => {
  const base = { ...target, run: '/work/m/runs/LeNet5-1' };
  assert.deepEqual(gradCamArguments('cli.js', base, { backend: 'auto' }), [
    'cli.js', 'gradcam', '/work/m/lenet5.cnn', '--json', '--model', 'LeNet5', '--run', '/work/m/runs/LeNet5-1', '--sample', '0',
  ]);
  assert.deepEqual(gradCamArguments('cli.js', { ...base, sample: 12, layer: 'C3', classIndex: 0 }, { backend: 'auto', dataDir: '~/d' }).slice(8), [
    '--sample', '12', '--layer', 'C3', '--class', '0', '--data-dir', join(homedir(), 'd'),
  ]);
  const image = gradCamArguments('cli.js', { ...target, image: '/pics/x-ray.png', sample: 3 }, { backend: 'cpu' });
  assert.deepEqual(image.slice(6), ['--image', '/pics/x-ray.png'], 'an image wins over a sample; no --run without a run; gradcam has no --backend');
});

test('the serve command line: never a --token (it would show in the process list); port and referral only when set', () => {
  assert.deepEqual(serveArguments('cli.js', '/r', {}, { backend: 'auto' }, '/w'), ['cli.js', 'serve', '/r']);
  assert.deepEqual(serveArguments('cli.js', '/r', { port: 8080, referBelow: 0.9 }, { backend: 'auto', dataDir: '/data' }, '/w'), ['cli.js', 'serve', '/r', '--port', '8080', '--refer-below', '0.9', '--data-dir', '/data']);
  assert.deepEqual(serveArguments('cli.js', '/r', { port: 0, referBelow: 1.5 }, { backend: 'auto' }, '/w'), ['cli.js', 'serve', '/r']);
});
