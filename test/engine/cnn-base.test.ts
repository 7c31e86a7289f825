// A pretrained base written as a `.cnn` model with its weights from a PyTorch state_dict:
// analysis (shapes, counts, located errors for a missing file and mismatched tensors) and the
// engine (the weights loaded into the cut, frozen layers), on a small model.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { hoverAt } from '../../src/language/editor/hover-text';
import { statementSites } from '../../src/language/editor/instances';
import { layerNames } from '../../src/language/passes/layer-names';
import { stateTensorsOf } from '../../src/language/pytorch/tensors';
import { loadInspectable } from '../../src/engine/explanation/feature-maps';
import { ModelFileError } from '../../src/engine/model/model-file';
import { loadBaseWeights } from '../../src/engine/model/base-model';
import { compileModel } from '../../src/engine/model/compile';
import { writeSafetensors, type NamedTensor } from '../../src/engine/pytorch/safetensors';
import { stateDictReader } from '../../src/engine/pytorch/state-header';
import { selectBackend } from '../../src/engine/backends/select-backend';
import { randomState } from './pytorch-harness';

const BASE = `model Tiny {
  input 8x8x3
  conv1: conv 4 3x3 pad 1 nobias
  bn1: batchnorm
  relu
  pool: maxpool 2x2
  conv2: conv 6 3x3 pad 1 relu
  flatten
  fc: dense 5
}
`;
const transfer = (weights: string, input = '8x8x3', options = 'until pool freeze all') => `${BASE}
model Transfer {
  input ${input}
  features: pretrained Tiny weights "${weights}" ${options}
  flatten
  out: dense 2 softmax
}
`;

const dir = mkdtempSync(join(tmpdir(), 'convlab-cnn-base-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const modelFile = join(dir, 'transfer.cnn');
const analyzeIn = (text: string) => analyze(text, { readStateDict: stateDictReader(modelFile, (name) => join(dir, 'cache', `${name}.safetensors`)) });

/** Tiny's whole state_dict, randomised, under its exported keys. */
const tinyTensors = stateTensorsOf(analyze(BASE).models[0]!);
const tinyState = randomState(tinyTensors, 11);
/** The same tensors as torchvision names them (`features.N.weight`), only those the cut keeps: conv1 and bn1. */
const torchvisionStyle = new Map<string, NamedTensor>([...tinyState].slice(0, 6).map(([key, value], i) => [key.replace(/^conv1\./, 'features.0.').replace(/^bn1\./, 'features.1.') || `t${i}`, value]));

before(async () => {
  writeSafetensors(join(dir, 'exported.safetensors'), tinyState);
  writeSafetensors(join(dir, 'features.safetensors'), torchvisionStyle);
  const wrong = new Map(torchvisionStyle);
  wrong.set('features.0.weight', { dtype: 'F32', shape: [4, 2, 3, 3], data: new Float32Array(72) });
  writeSafetensors(join(dir, 'wrong.safetensors'), wrong);
  await selectBackend({ force: 'wasm' });
});

test('the base is the cut model: its layers named under the label, frozen, with their shapes and counts', () => {
  const analysis = analyzeIn(transfer('features.safetensors'));
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  const graph = analysis.models.find((m) => m.name === 'Transfer')!;
  assert.deepEqual(layerNames(graph).slice(1, 5), ['features/conv1', 'features/bn1', 'features/relu_1', 'features/pool']);
  const conv = graph.nodes[1]!;
  assert.deepEqual(conv.outputShape, [8, 8, 4]);
  // 108 conv weights and batchnorm's 16, all frozen; the head's 32 + 2 train.
  assert.deepEqual(graph.nodes.slice(1, 5).map((n) => n.params.trainable), [0, 0, 0, 0]);
  assert.equal(conv.params.nonTrainable, 108);
  assert.equal(graph.nodes.at(-1)!.params.trainable, 4 * 4 * 4 * 2 + 2);
  assert.equal(graph.stateDictBases![0]!.tensors.length, 6);
});

test('a convolutional cut takes another height and width: the base is laid out again on 16×16', () => {
  const analysis = analyzeIn(transfer('features.safetensors', '16x16x3'));
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(analysis.models.find((m) => m.name === 'Transfer')!.nodes[4]!.outputShape, [8, 8, 4]);
  const whole = analyzeIn(transfer('exported.safetensors', '16x16x3', 'freeze all'));
  assert.match(whole.diagnostics.find((d) => d.code === 'shape-mismatch')!.message, /model Tiny takes 8×8×3 inputs, but gets 16×16×3/);
});

test('located errors: a missing file, torchvision weights not cached, tensors that differ (naming the layer and its line), an unknown model or layer', () => {
  const at = (text: string, code: string) => {
    const analysis = analyzeIn(text);
    const found = analysis.diagnostics.find((d) => d.code === code);
    assert.ok(found, `${code} in ${JSON.stringify(analysis.diagnostics.map((d) => d.message))}`);
    return { ...found, line: analysis.lines.position(found.span.start).line + 1, text: text.slice(found.span.start, found.span.end) };
  };
  const missing = at(transfer('nowhere.safetensors'), 'base-unavailable');
  assert.equal(missing.line, 14);
  assert.equal(missing.text, '"nowhere.safetensors"');
  assert.match(missing.message, /nowhere\.safetensors: no such file/);
  const uncached = at(transfer('torchvision:vgg16'), 'base-unavailable');
  assert.match(uncached.message, /torchvision's vgg16 weights are not in ConvLab's cache/);
  assert.match(uncached.hint!, /convlab import-weights --torchvision vgg16/);
  const wrong = at(transfer('wrong.safetensors'), 'weights-mismatch');
  assert.equal(wrong.line, 14);
  assert.match(wrong.message, /layer conv1 \(line 3\): the file's features\.0\.weight \(tensor 1\) is \[4, 2, 3, 3\], the layer needs \[4, 3, 3, 3\]/);
  assert.equal(wrong.related![0]!.span.start, BASE.indexOf('conv1: conv'));
  const short = at(transfer('features.safetensors', '8x8x3', 'until conv2'), 'weights-mismatch');
  assert.match(short.message, /layer conv2 \(line 7\) needs tensor 6 \(conv2\.weight, \[6, 4, 3, 3\]\), but the file has only 5/);
  assert.match(at(transfer('features.safetensors').replace('pretrained Tiny', 'pretrained Tiyn'), 'unknown-model').hint!, /did you mean 'Tiny'/);
  assert.match(at(transfer('features.safetensors', '8x8x3', 'until pol'), 'unknown-name').hint!, /did you mean 'pool'/);
  assert.match(at(transfer('x').replace(' weights "x"', ''), 'missing-argument').hint!, /weights "torchvision:NAME"/);
});

test('the engine loads the file\'s tensors into the cut layers, by order for torchvision\'s names and by key for the exported ones', async () => {
  for (const file of ['features.safetensors', 'exported.safetensors']) {
    writeFileSync(modelFile, transfer(file));
    const model = await loadInspectable({ file: modelFile, model: 'Transfer' });
    try {
      assert.match(model.weights, /pretrained base/);
      const [kernel, ...others] = model.compiled.model.getLayer('features.conv1').getWeights();
      assert.equal(others.length, 0);
      // PyTorch's [out, in, kh, kw] lands as ConvLab's [kh, kw, in, out].
      const torch = tinyState.get('conv1.weight')!.data as Float32Array;
      const ours = kernel!.arraySync() as number[][][][];
      assert.equal(ours[2]![1]![0]![3], torch[((3 * 3 + 0) * 3 + 2) * 3 + 1]);
      const mean = model.compiled.model.getLayer('features.bn1').getWeights()[2]!.dataSync();
      assert.deepEqual([...mean], [...(tinyState.get('bn1.running_mean')!.data as Float32Array)]);
    } finally {
      model.compiled.model.dispose();
    }
  }
});

test('a state_dict the analysis could not read (a .pt file) is checked when the engine loads it, naming the layer and its line', () => {
  // The analysis reads .pt files' tensors only through Python, so it passes them on unchecked.
  const analysis = analyze(transfer('wrong.safetensors'), { readStateDict: () => ({ location: join(dir, 'wrong.safetensors') }) });
  const graph = analysis.models.find((m) => m.name === 'Transfer')!;
  const compiled = compileModel(graph, { seed: 1 });
  try {
    assert.throws(() => loadBaseWeights(graph, compiled), (error: Error) => {
      assert.ok(error instanceof ModelFileError);
      assert.match(error.message, /wrong\.safetensors does not fit model Tiny \(the pretrained line, line 14\), its tensors matched by order:\n {2}layer conv1 \(line 3\): the file's features\.0\.weight/);
      return true;
    });
  } finally {
    compiled.model.dispose();
  }
});

test('hovering the pretrained line summarises the base: its model, state_dict, cut and frozen layers', () => {
  const text = transfer('features.safetensors');
  const analysis = analyzeIn(text);
  const hover = hoverAt(analysis, text.indexOf('pretrained Tiny'), statementSites(analysis))!.markdown;
  assert.match(hover, /pretrained base of 4 layers · 8×8×3 → \*\*4×4×4\*\*/);
  assert.match(hover, /From: model Tiny with the state_dict `.*features\.safetensors`, up to `pool`/);
  assert.match(hover, /Frozen layers: 4 of 4/);
});
