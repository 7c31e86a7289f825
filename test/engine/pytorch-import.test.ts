import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { LayerNode } from '../../src/language/layer-graph';
import { analyze } from '../../src/language/passes/analyze';
import { exportPytorch } from '../../src/language/pytorch/export';
import { PytorchExportError } from '../../src/language/pytorch/state';
import { loadInspectable } from '../../src/engine/explanation/feature-maps';
import { ModelFileError } from '../../src/engine/model/model-file';
import { exportToPytorch, importWeights } from '../../src/engine/pytorch/exchange';
import { readSafetensors, writeSafetensors } from '../../src/engine/pytorch/safetensors';
import { tf } from '../../src/engine/backends/tf';
import { randomState, torchPythonOrSkip } from './pytorch-harness';

const MODEL = `# A small model for the weight exchange tests.
model Small {
  input 8x8x3
  c1: conv 4 3x3 pad 1 relu
  maxpool 2x2
  flatten
  out: dense 3 softmax
}
`;

const dir = mkdtempSync(join(tmpdir(), 'convlab-import-'));
const file = join(dir, 'small.cnn');
const runs = join(dir, 'runs');
const python = torchPythonOrSkip();

before(async () => {
  await tf.setBackend('cpu');
  writeFileSync(file, MODEL);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const tensorsOf = () => {
  const analysis = analyze(MODEL);
  return exportPytorch(analysis.models[0]!, analysis).tensors;
};
const runFolders = () => (existsSync(runs) ? readdirSync(runs) : []);

test('a state_dict imports into a run folder that inspect reads: the filters are the file\'s, in ConvLab\'s HWIO layout', async () => {
  const state = randomState(tensorsOf(), 5);
  const weights = join(dir, 'small.safetensors');
  writeSafetensors(weights, state);
  const runDir = await importWeights({ file, weights, runsDir: runs });
  assert.ok(existsSync(join(runDir, 'best', 'model.json')) && existsSync(join(runDir, 'last', 'model.json')));
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { model: string; file: string };
  assert.equal(summary.model, 'Small');
  const model = await loadInspectable({ file, run: runDir });
  try {
    assert.equal(model.weights, join(runDir, 'best'));
    // PyTorch's weight[o, i, y, x] is ConvLab's kernel[y, x, i, o].
    const torch = state.get('c1.weight')!.data as Float32Array;
    const kernel = model.compiled.model.getLayer('c1').getWeights()[0]!.dataSync();
    for (const [o, i, y, x] of [[0, 0, 0, 0], [3, 2, 1, 0], [1, 2, 2, 1]] as const) {
      assert.equal(kernel[((y * 3 + x) * 3 + i) * 4 + o], torch[((o * 3 + i) * 3 + y) * 3 + x]);
    }
  } finally {
    model.compiled.model.dispose();
  }
});

test('every mismatch is reported at once, located at its layer, and no run folder is written', async () => {
  const state = randomState(tensorsOf(), 6);
  state.delete('c1.bias');
  state.set('out.weight', { dtype: 'F32', shape: [3, 17], data: new Float32Array(51) });
  state.set('extra.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
  const weights = join(dir, 'bad.safetensors');
  writeSafetensors(weights, state);
  const before = runFolders();
  await assert.rejects(importWeights({ file, weights, runsDir: runs }), (error: Error) => {
    assert.ok(error instanceof ModelFileError);
    assert.match(error.message, /3 mismatches/);
    assert.match(error.message, /small\.cnn:4:3: missing key c1\.bias \(layer c1, \[4\]\)/);
    assert.match(error.message, /small\.cnn:7:3: out\.weight \(layer out\): the file has shape \[3, 17\], the model needs \[3, 64\]/);
    assert.match(error.message, /unexpected key extra\.weight/);
    return true;
  });
  assert.deepEqual(runFolders(), before);
});

test('a file that is not safetensors is refused with its path and byte offset', async () => {
  const weights = join(dir, 'junk.safetensors');
  writeFileSync(weights, Buffer.concat([Buffer.from([15, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"a": not json}')]));
  await assert.rejects(importWeights({ file, weights, runsDir: runs }), /junk\.safetensors \(byte 8\): not a safetensors file: its header is not JSON/);
  const truncated = join(dir, 'short.safetensors');
  const good = join(dir, 'good.safetensors');
  writeSafetensors(good, randomState(tensorsOf(), 1));
  writeFileSync(truncated, readFileSync(good).subarray(0, 300));
  assert.throws(() => readSafetensors(truncated), /short\.safetensors \(byte \d+\): tensor \S+: F32 .* past the end of the file/);
});

test('an op without a PyTorch mapping stops the export at its line, naming it', () => {
  const analysis = analyze(MODEL);
  const graph = analysis.models[0]!;
  const node = graph.nodes[2]!;
  // An op the language cannot make, as a graph from a newer ConvLab might hold.
  const patched = { ...graph, nodes: graph.nodes.map((n) => (n === node ? ({ ...n, op: 'spatialsplit' } as unknown as LayerNode) : n)) };
  assert.throws(() => exportPytorch(patched, analysis), (error: Error) => {
    assert.ok(error instanceof PytorchExportError);
    assert.match(error.message, /the op 'spatialsplit' has no PyTorch mapping/);
    assert.equal(analysis.lines.position(error.span.start).line, 4);
    return true;
  });
});

test('with torch: .pt files import and export, and a .pt that holds no state_dict is refused', { skip: python ? false : 'no Python with torch' }, async () => {
  const state = randomState(tensorsOf(), 8);
  const source = join(dir, 'state.safetensors');
  writeSafetensors(source, state);
  const pt = join(dir, 'state.pt');
  const convert = (args: string[]) => spawnSync(python!, ['-m', 'convlab_torch.convert', ...args], { env: { ...process.env, PYTHONPATH: join(__dirname, '..', '..', 'python') }, encoding: 'utf8' });
  assert.equal(convert(['to-pt', source, pt]).status, 0);
  const runDir = await importWeights({ file, weights: pt, runsDir: runs });
  const out = join(dir, 'export');
  const { files } = await exportToPytorch({ file, out, run: runDir });
  assert.deepEqual(files.map((f) => f.slice(out.length + 1)), ['Small.py', 'Small.safetensors', 'Small.pt']);
  const back = readSafetensors(join(out, 'Small.safetensors'));
  for (const [key, tensor] of state) assert.deepEqual([...back.get(key)!.data], [...tensor.data], key);
  const listing = join(dir, 'list.pt');
  spawnSync(python!, ['-c', `import torch; torch.save([1, 2], ${JSON.stringify(listing)})`]);
  const before = runFolders();
  await assert.rejects(importWeights({ file, weights: listing, runsDir: runs }), /list\.pt: not a state_dict: it holds a list/);
  assert.deepEqual(runFolders(), before);
});
