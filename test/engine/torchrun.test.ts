import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { dataParallelProcesses, pytorchDevice, refuseDevicesOnTfjs, runtimeLaunch } from '../../src/engine/pytorch/training/torchrun';
import type { TorchDevices } from '../../src/engine/pytorch/training/discovery';

const source = (settings: string) => `model M {\n  input 8x8x1\n  flatten\n  out: dense 10 softmax\n}\ntrain M {\n  data mnist\n${settings}}\n`;
const cpu: TorchDevices = { python: '/usr/bin/python3', pythonVersion: '3.11.2', torch: '1.13.0a0', cuda: false, cudaDevices: 0, mps: false };
const twoGpus: TorchDevices = { ...cpu, cuda: true, cudaDevices: 2, cudaName: 'H200' };

function specOf(settings: string) {
  const analysis = analyze(source(settings));
  return { analysis, spec: analysis.trains[0]!, errors: analysis.diagnostics.filter((d) => d.severity === 'error') };
}

test('devices N in the train section: read, and refused at its line when the batch does not split', () => {
  const ok = specOf('  batch 64\n  devices 4\n');
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.spec.devices, 4);
  const bad = specOf('  batch 30\n  devices 4\n');
  assert.equal(bad.errors.length, 1);
  assert.match(bad.errors[0]!.message, /devices 4: batch 30 does not split evenly over 4 processes/);
  assert.equal(bad.analysis.lines.position(bad.errors[0]!.span.start).line + 1, 9);
});

test('processes: --gpus over devices; more than the CUDA devices, or MPS, refused with where', () => {
  const { spec, analysis } = specOf('  batch 64\n  devices 2\n');
  assert.equal(dataParallelProcesses(undefined, spec, cpu, 'm.cnn', analysis), 2);
  assert.equal(dataParallelProcesses(1, spec, cpu, 'm.cnn', analysis), 1);
  assert.equal(dataParallelProcesses(undefined, { ...spec, devices: undefined }, cpu, 'm.cnn', analysis), undefined);
  assert.equal(dataParallelProcesses(2, spec, twoGpus, 'm.cnn', analysis), 2);
  assert.throws(() => dataParallelProcesses(4, spec, twoGpus, 'm.cnn', analysis), /--gpus 4: torch 1\.13\.0a0 at \/usr\/bin\/python3 sees 2 CUDA device\(s\)/);
  assert.throws(() => dataParallelProcesses(3, spec, cpu, 'm.cnn', analysis), /--gpus 3: batch 64 does not split evenly/);
  assert.throws(() => dataParallelProcesses(undefined, spec, { ...cpu, mps: true }, 'm.cnn', analysis), /m\.cnn:9:3: error: devices 2: MPS is one device/);
});

test('the tfjs engine refuses devices at its line and --gpus by name', () => {
  const { spec, analysis } = specOf('  devices 2\n');
  assert.throws(() => refuseDevicesOnTfjs(undefined, spec, 'm.cnn', analysis), /m\.cnn:8:3: error: devices 2 needs the pytorch engine/);
  assert.throws(() => refuseDevicesOnTfjs(2, { ...spec, devices: undefined }, 'm.cnn', analysis), /^ModelFileError: --gpus 2 needs the pytorch engine/);
  assert.doesNotThrow(() => refuseDevicesOnTfjs(1, spec, 'm.cnn', analysis));
});

test('without --gpus or devices the module runs alone; with them, under convlab_torch.torchrun with the cores shared', () => {
  assert.deepEqual(runtimeLaunch('/r/config.json', undefined), { args: ['-m', 'convlab_torch.train', '/r/config.json'], env: {} });
  assert.deepEqual(runtimeLaunch('/r/config.json', 1, 4).args.slice(0, 7), ['-m', 'convlab_torch.torchrun', '--standalone', '--nnodes', '1', '--nproc_per_node', '1']);
  const saved = process.env.OMP_NUM_THREADS;
  delete process.env.OMP_NUM_THREADS;
  try {
    const launch = runtimeLaunch('/r/config.json', 2, 16);
    assert.deepEqual(launch.args, ['-m', 'convlab_torch.torchrun', '--standalone', '--nnodes', '1', '--nproc_per_node', '2', '--monitor_interval', '1', '-m', 'convlab_torch.train', '/r/config.json']);
    assert.deepEqual(launch.env, { OMP_NUM_THREADS: '8' });
  } finally {
    if (saved !== undefined) process.env.OMP_NUM_THREADS = saved;
  }
});

test('--backend on the pytorch engine: auto is the best device, cuda demands CUDA, cpu keeps to it, tfjs backends refused', () => {
  assert.equal(pytorchDevice(undefined, twoGpus), 'cuda');
  assert.equal(pytorchDevice(undefined, { ...cpu, mps: true }), 'mps');
  assert.equal(pytorchDevice(undefined, cpu), 'cpu');
  assert.equal(pytorchDevice('cpu', twoGpus), 'cpu');
  assert.equal(pytorchDevice('cuda', twoGpus), 'cuda');
  assert.throws(() => pytorchDevice('cuda', cpu), /--backend cuda: torch 1\.13\.0a0 at \/usr\/bin\/python3 sees no CUDA device/);
  for (const backend of ['webgpu', 'native', 'wasm'] as const) assert.throws(() => pytorchDevice(backend, twoGpus), new RegExp(`--backend ${backend} is a TensorFlow\\.js backend`));
});
