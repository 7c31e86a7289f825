import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { expectOnly, model, where } from './helpers';

test('a kernel larger than its input names both sizes, with a hint', () => {
  const analysis = expectOnly(model('  S2: maxpool 7x7\n  C3: conv 16 5x5 tanh', '28x28x1'), ['kernel-too-large@4:3']);
  const [diagnostic] = analysis.diagnostics;
  assert.equal(diagnostic!.message, 'C3: kernel 5×5 is larger than its 4×4 input');
  assert.match(diagnostic!.hint!, /smaller kernel or pad the input/);
});

test('dilation and padding are part of the complaint', () => {
  const analysis = expectOnly(model('  conv 4 3x3 dilation 3 pad 1', '4x4x1'), ['kernel-too-large@3:3']);
  assert.equal(analysis.diagnostics[0]!.message, 'conv: kernel 3×3 (7×7 with dilation) is larger than its 4×4 padded 6×6 input');
});

test('several mistakes are each reported at their own line and column', () => {
  const text = [
    'model Broken {',        // 1
    '  input 28x28x1',       // 2
    '  C1: conv 6 5x5 pad 2 tanh',
    '  S2: avgpol 2x2 stride 2', // 4: unknown layer
    '  C3: conv 16 5x5 strid 2', // 5: unknown option
    '  flatten',
    '  conv 8 3x3',          // 7: conv after flatten
    '  dense 10 softmax',
    '}',
    'train Broken {',
    '  epochs 0',            // 11
    '  optimizr adam',       // 12
    '}',
  ].join('\n');
  const analysis = expectOnly(text, ['unknown-layer@4:7', 'unknown-option@5:19', 'needs-spatial-input@7:3', 'bad-value@11:10', 'unknown-setting@12:3']);
  assert.equal(analysis.diagnostics[0]!.hint, "did you mean 'avgpool'?");
  assert.equal(analysis.diagnostics[1]!.hint, "did you mean 'stride'?");
  // The rest of the model is still analysed: the dense layer after the errors has its shape.
  assert.deepEqual(analysis.models[0]!.nodes.at(-1)!.outputShape, [10]);
});

test('dense on maps asks for flatten and still infers its output', () => {
  const analysis = expectOnly(model('  conv 8 3x3\n  dense 10\n  dense 3'), ['needs-flat-input@4:3']);
  assert.match(analysis.diagnostics[0]!.hint!, /flatten' \(5408 values\)/);
  assert.deepEqual(analysis.models[0]!.nodes.at(-1)!.outputShape, [3]);
  assert.equal(analysis.models[0]!.nodes.at(-1)!.params.trainable, 33);
});

test('a model without input is located, and so is a misplaced input', () => {
  expectOnly('model M {\n  dense 10\n}\n', ['missing-input@2:3']);
  expectOnly(model('  input 28x28x1'), ['misplaced-input@3:3']);
  expectOnly('model M {\n}\n', ['missing-input@1:7']);
});

test('concat needs equal heights and widths; add needs equal shapes', () => {
  const analysis = expectOnly(model('  concat { { conv 8 3x3 } { conv 8 1x1 } }'), ['shape-mismatch@3:3']);
  assert.match(analysis.diagnostics[0]!.message, /26×26×8, 28×28×8/);
  expectOnly(model('  add { { conv 8 3x3 same } { conv 4 3x3 same } }'), ['shape-mismatch@3:3']);
  expectOnly(model('  concat { { conv 8 3x3 same } { maxpool 3x3 stride 1 same } { } }'), []);
});

test('residual: identity, automatic projection, explicit shortcut, and an impossible one', () => {
  const identity = expectOnly(model('  conv 8 3x3 same\n  residual { conv 8 3x3 same; relu }'), []);
  assert.equal(identity.models[0]!.nodes.filter((n) => n.synthetic === 'shortcut').length, 0);
  const projected = expectOnly(model('  residual { conv 16 3x3 stride 2 same nobias; batchnorm }'), ['residual-projection@3:3']);
  const shortcut = projected.models[0]!.nodes.filter((n) => n.synthetic === 'shortcut');
  assert.deepEqual(shortcut.map((n) => n.op), ['conv', 'batchnorm']);
  assert.deepEqual(shortcut[0]!.outputShape, [14, 14, 16]);
  assert.equal(shortcut[0]!.params.trainable, 16);
  expectOnly(model('  residual { conv 16 3x3 same } shortcut { conv 16 1x1 }'), []);
  expectOnly(model('  residual { conv 16 3x3 same } shortcut { conv 8 1x1 }'), ['shape-mismatch@3:3']);
  expectOnly(model('  residual { conv 16 3x3 stride 3 }'), ['shortcut-stride@3:3']);
});

test('blocks: arity, unknown parameters, unknown names, recursion, unused', () => {
  const blocks = 'block b(x, y = 2) {\n  conv x 3x3 stride y same\n}\n';
  expectOnly(blocks + model('  b()'), ['missing-argument@6:4']);
  expectOnly(blocks + model('  b(1, 2, 3)'), ['too-many-arguments@6:11']);
  expectOnly(blocks + model('  b(8, z = 1)'), ['unknown-name@6:8']);
  expectOnly(blocks + model('  c(8)'), ['unused-block@1:7', 'unknown-block@6:3']);
  const asLayer = expectOnly(blocks + model('  b 8'), ['unused-block@1:7', 'unknown-layer@6:3']);
  assert.equal(asLayer.diagnostics[1]!.hint, 'b is a block: call it with parentheses, b(x, y)');
  const misspelt = expectOnly('block b(width) {\n  conv widht 3x3\n}\n' + model('  b(4)'), ['unknown-name@2:8']);
  assert.equal(misspelt.diagnostics[0]!.hint, "did you mean 'width'?");
  expectOnly('block r(x) {\n  r(x)\n}\n' + model('  r(4)'), ['recursive-block@2:3']);
  expectOnly(blocks + model('  conv 3 3x3'), ['unused-block@1:7']);
});

test('a problem inside a block points at the block line, names the call and shows at it', () => {
  const text = 'block down(f) {\n  conv f 9x9\n}\n' + model('  down(4)\n  down(8)', '12x12x1');
  const analysis = analyze(text);
  assert.deepEqual(analysis.diagnostics.map((d) => `${d.code}@${where(analysis, d)}`), ['kernel-too-large@2:3', 'kernel-too-large@7:3']);
  assert.equal(analysis.diagnostics[0]!.related?.[0]?.message, 'in this call of down');
});

test('bad values: types, ranges and groups', () => {
  expectOnly(model('  conv 6.5 3x3'), ['bad-value@3:8']);
  expectOnly(model('  dropout 1.5'), ['bad-value@3:11']);
  expectOnly(model('  conv 6 3x3x3'), ['bad-value@3:10']);
  expectOnly(model('  conv 6 3x3 groups 4', '8x8x6'), ['channel-groups@3:3']);
  expectOnly(model('  conv 6'), ['missing-argument@3:3']);
  expectOnly(model('  conv 6 3x3 same pad 1'), ['duplicate-argument@3:14']);
  expectOnly(model('  relu 3'), ['too-many-arguments@3:8']);
  expectOnly(model('  relu relu'), ['unknown-option@3:8']);
  expectOnly('model M {\n  input 28x28\n}\n', ['bad-value@2:9']);
});

test('train sections: unknown model, settings and values', () => {
  const base = model('  flatten\n  dense 10 softmax');
  expectOnly(base + 'train N {\n  epochs 3\n}\n', ['unknown-model@6:7']);
  expectOnly(base + 'train M {\n  optimizer adamw\n}\n', ['bad-value@7:13']);
  expectOnly(base + 'train M {\n  batchsize 32\n}\n', ['unknown-setting@7:3']);
  const ok = expectOnly(base + 'train M {\n  data "digits/folder" size 32x32 channels 1\n  classweights 1 2.5\n  earlystop patience 4 restore\n  validation none\n}\n', []);
  const spec = ok.trains[0]!;
  assert.equal(spec.data?.source, 'digits/folder');
  assert.deepEqual(spec.data?.size, [32, 32]);
  assert.deepEqual(spec.classWeights, [1, 2.5]);
  assert.deepEqual(spec.earlyStop, { patience: 4, minDelta: 0, monitor: 'val_loss', restore: true });
  assert.deepEqual(spec.validation, { kind: 'none' });
  const hyphenated = expectOnly(base + 'train M {\n  data fashion-mnist\n}\n', []);
  assert.equal(hyphenated.trains[0]!.data?.source, 'fashion-mnist');
});

test('duplicate declarations and layer names', () => {
  expectOnly(model('  flatten') + model('  flatten'), ['duplicate-declaration@5:7']);
  expectOnly(model('  a: relu\n  a: relu'), ['duplicate-layer-name@4:3']);
});

test('expressions: arithmetic in block arguments, sizes built from parameters, conditions', () => {
  const text = 'model M(s = 16, wide = 1) {\n  input s x s x 3\n  if wide { conv 4 * s 3x3 same } else { conv s // 2 3x3 same }\n}\nmodel N = M(s = 8, wide = 0)\n';
  const analysis = expectOnly(text, []);
  assert.deepEqual(analysis.models[0]!.nodes[1]!.outputShape, [16, 16, 64]);
  assert.deepEqual(analysis.models[1]!.nodes[1]!.outputShape, [8, 8, 4]);
  expectOnly(model('  repeat 1 / 0 { relu }'), ['bad-value@3:10']);
});

test('a runaway repeat is stopped with a clear error, not a hang', () => {
  expectOnly(model('  repeat 1000000 { relu }'), ['too-large@1:7']);
});
