import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gradCamPng } from '../../src/engine/explanation/heatmap-image';
import { readSafetensors } from '../../src/engine/pytorch/safetensors';
import { torchPythonOrSkip } from '../engine/pytorch-harness';

// The built CLI, as a user runs it (npm test builds first).
const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'convlab-cli-pytorch-'));
// Caches of their own: torchvision's (TORCH_HOME) and ConvLab's (XDG_CACHE_HOME).
const env = { ...process.env, TORCH_HOME: join(dir, 'torch'), XDG_CACHE_HOME: join(dir, 'cache') };
const convlab = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'convlab.js'), ...args], { cwd: root, encoding: 'utf8', env, timeout: 300_000, maxBuffer: 256 * 1024 * 1024 });
const python = torchPythonOrSkip();
after(() => rmSync(dir, { recursive: true, force: true }));

test('convlab export --to pytorch writes the module; a model file error is located', () => {
  const out = join(dir, 'export');
  const result = convlab('export', 'samples/lenet5.cnn', '--to', 'pytorch', '--out', out);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /LeNet5: 61,706 parameters/);
  const code = readFileSync(join(out, 'LeNet5.py'), 'utf8');
  assert.match(code, /self\.C1 = nn\.Conv2d\(1, 6, kernel_size=\(5, 5\), stride=\(1, 1\), padding=\(2, 2\)\)/);
  assert.match(code, /LeCun/);
  const wrong = convlab('export', 'samples/lenet5.cnn', '--to', 'onnx');
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /needs --to pytorch \(not 'onnx'\)/);
});

test('convlab import-weights --torchvision resnet18 offline: reads a file seeded in torchvision\'s own cache, else says where to put it', { skip: python ? false : 'no Python with torch' }, () => {
  const runs = join(dir, 'runs');
  const missing = convlab('import-weights', '--torchvision', 'resnet18', '--runs-dir', runs);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot fetch https:\/\/download\.pytorch\.org\/models\/resnet18-f37072fd\.pth .*place it at .*torch\/hub\/checkpoints\/resnet18-f37072fd\.pth/s);
  assert.ok(!existsSync(runs) || readdirSync(runs).length === 0, 'nothing is written when the weights are missing');
  // Seed the cache with a state_dict of the expected name, as a download would leave it.
  const checkpoints = join(dir, 'torch', 'hub', 'checkpoints');
  mkdirSync(checkpoints, { recursive: true });
  const seeded = spawnSync(python!, ['-c', `import torch, torchvision
torch.manual_seed(3)
torch.save(torchvision.models.resnet18(weights=None).state_dict(), ${JSON.stringify(join(checkpoints, 'resnet18-f37072fd.pth'))})`], { encoding: 'utf8' });
  assert.equal(seeded.status, 0, seeded.stderr);
  const result = convlab('import-weights', '--torchvision', 'resnet18', '--runs-dir', runs);
  assert.equal(result.status, 0, result.stderr);
  const runDir = readdirSync(runs).map((name) => join(runs, name))[0]!;
  assert.ok(existsSync(join(runDir, 'best', 'model.json')));
  // Exported back, the run's weights are torchvision's, tensor for tensor.
  const out = join(dir, 'back');
  const back = convlab('export', 'samples/resnet18.cnn', '--model', 'ResNet18', '--to', 'pytorch', '--out', out, '--run', runDir);
  assert.equal(back.status, 0, back.stderr);
  const ours = [...readSafetensors(join(out, 'ResNet18.safetensors')).values()];
  const theirs = [...readSafetensors(join(dir, 'cache', 'convlab', 'torchvision', 'resnet18.safetensors')).values()];
  assert.equal(ours.length, theirs.length);
  ours.forEach((tensor, i) => assert.deepEqual([...tensor.data.slice(0, 50)], [...theirs[i]!.data.slice(0, 50)], `tensor ${i}`));
  // inspect (what Feature maps shows) reads the imported run: conv1's 64 filters of 7×7×3.
  const image = join(dir, 'photo.png');
  writeFileSync(image, gradCamPng(new Float32Array(32 * 32 * 3).fill(0.5), [32, 32, 3], new Float32Array(4), 2, 2));
  const inspected = convlab('inspect', 'samples/resnet18.cnn', '--model', 'ResNet18', '--layer', 'conv1', '--run', runDir, '--image', image, '--json');
  assert.equal(inspected.status, 0, inspected.stderr);
  const inspection = JSON.parse(inspected.stdout) as { weights: string; filters: { shape: number[] } };
  assert.deepEqual(inspection.filters.shape, [7, 7, 3, 64]);
  assert.equal(inspection.weights, join(runDir, 'best'));
});
