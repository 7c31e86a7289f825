import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { totals } from '../../src/language/layer-graph';
import { findLayerIndex, layerNames, legacyLayerNames } from '../../src/language/passes/summarize';
import { expectOnly, model, sample, where } from './helpers';

// Each case is one that a writer of published architectures hit, writing from the docs alone.

const trainable = (text: string, name: string) => totals(analyze(text).models.find((m) => m.name === name)!).params.trainable;

test('and, or, not: the inverted residual\'s condition reads as written', () => {
  const block = 'block inv(s, inp, out) {\n  if s == 1 and inp == out { residual { conv out 3x3 pad 1 } shortcut { } } else { conv out 3x3 stride s pad 1 }\n}\n';
  const analysis = expectOnly(block + model('  inv(1, 1, 1)\n  inv(2, 1, 1)\n  inv(1, 1, 4)'), []);
  assert.deepEqual(analysis.models[0]!.nodes.map((n) => n.op), ['input', 'conv', 'add', 'conv', 'conv']);
  // The writer's workaround means the same.
  const workaround = block.replace('s == 1 and inp == out', '(s == 1) * (inp == out)');
  assert.equal(trainable(workaround + model('  inv(1, 1, 1)\n  inv(2, 1, 1)'), 'M'), trainable(block + model('  inv(1, 1, 1)\n  inv(2, 1, 1)'), 'M'));
  // not binds looser than a comparison, and looser than and/or's operands; or looser than and.
  const count = (condition: string) => analyze(model(`  if ${condition} { relu }`)).models[0]!.nodes.length - 1;
  assert.equal(count('not 1 == 2'), 1);
  assert.equal(count('not 1 == 1'), 0);
  assert.equal(count('1 == 1 or 0 and 0'), 1);
  assert.equal(count('(1 == 1 or 0) and 0'), 0);
  assert.equal(count('not 0 and 1'), 1);
});

test('in.c, in.h, in.w: a block reads the shape flowing into its line', () => {
  const analysis = expectOnly('block expand(t) {\n  conv in.c * t 1x1\n  conv in.c // 2 3x3 pad 1\n  maxpool in.h // 2\n}\n' + model('  expand(6)', '8x8x4'), []);
  assert.deepEqual(analysis.models[0]!.nodes.map((n) => n.outputShape), [[8, 8, 4], [8, 8, 24], [8, 8, 12], [2, 2, 12]]);
  // A default may read it: DenseNet's transition halves what flows in.
  const transition = expectOnly('block transition(out = in.c // 2) {\n  conv out 1x1\n}\n' + model('  conv 64 1x1\n  transition()\n  transition(8)'), []);
  assert.deepEqual(transition.models[0]!.nodes.map((n) => n.outputShape?.at(-1)), [1, 64, 32, 8]);
  expectOnly(model('  flatten\n  dense in.c // 2\n  dense in.h'), ['needs-spatial-input@5:9']);
  const field = expectOnly(model('  conv in.chanels 1x1'), ['unknown-name@3:11']);
  assert.equal(field.diagnostics[0]!.hint, "did you mean 'channels'?");
  expectOnly(model('  conv out.c 1x1'), ['unknown-name@3:8']);
  expectOnly('model M {\n  input 8x8x1\n}\nmodel N = M(x = in.c)\n', ['unknown-name@4:13', 'unknown-name@4:17']);
  // Nothing flows before the input line: one error for it, none for each later layer.
  expectOnly('model M {\n  conv in.c 1x1\n  relu\n  dense 2\n}\n', ['missing-input@2:3']);
});

test('the samples use in.c and count as torchvision: MobileNetV2 3,504,872, DenseNet-121 7,978,856', () => {
  assert.equal(trainable(sample('mobilenetv2.cnn'), 'MobileNetV2'), 3_504_872);
  assert.equal(trainable(sample('densenet121.cnn'), 'DenseNet121'), 7_978_856);
  for (const file of ['mobilenetv2.cnn', 'densenet121.cnn']) {
    const text = sample(file);
    assert.match(text, /in\.c/, `${file} reads the input's channels`);
    const analysis = analyze(text);
    // No call passes a channel count it could have read: every argument is a literal of the table or a name.
    const calls = analysis.document.declarations.flatMap((d) => (d.kind === 'model' && d.body ? d.body.statements : [])).filter((s) => s.kind === 'call');
    assert.ok(calls.length > 0);
    assert.deepEqual(analysis.diagnostics.filter((d) => d.severity !== 'info'), []);
  }
});

test('a residual that inserts a projection says so, points to shortcut { } and offers to write it out', () => {
  // MobileNetV2's first draft: a plain residual around every block, 77,840 parameters too many.
  const draft = sample('mobilenetv2.cnn').replace(/block inverted\(out, s = 1, t = 6\) \{[\s\S]*?\n\}\n/, 'block inverted(out, s = 1, t = 6) {\n  residual { bottleneck(out, s, t) }\n}\n');
  assert.equal(trainable(draft, 'MobileNetV2'), 3_504_872 + 77_840);
  const analysis = analyze(draft);
  const notes = analysis.diagnostics.filter((d) => d.code === 'residual-projection');
  assert.equal(notes.length, 1);
  const note = notes[0]!;
  assert.equal(note.severity, 'info');
  assert.equal(draft.slice(note.span.start, note.span.end), 'residual');
  assert.match(note.message, /in 7 of its 17 uses/);
  assert.match(note.hint!, /shortcut \{ \}/);
  // The identity-only form reports each mismatch; the quick fix keeps the count.
  const identity = draft.replace('residual { bottleneck(out, s, t) }', 'residual { bottleneck(out, s, t) } shortcut { }');
  assert.ok(analyze(identity).diagnostics.some((d) => d.code === 'shape-mismatch'));
  const fixed = draft.slice(0, note.fix!.span.start) + note.fix!.newText + draft.slice(note.fix!.span.end);
  assert.equal(note.fix!.newText, ' shortcut { if in.c != out or s != 1 { conv out 1x1 stride s nobias; batchnorm eps 0.00001 momentum 0.9 } }');
  assert.equal(trainable(fixed, 'MobileNetV2'), 3_504_872 + 77_840);
  assert.deepEqual(analyze(fixed).diagnostics, []);
  // Where every use projects alike, the fix writes the numbers.
  const single = analyze(model('  residual { conv 16 3x3 stride 2 same nobias; batchnorm }'));
  assert.equal(single.diagnostics[0]!.fix!.newText, ' shortcut { conv 16 1x1 stride 2 nobias; batchnorm }');
});

test('stride -2 is a negative value with its range message, not a subtraction', () => {
  const analysis = expectOnly(model('  conv 8 3x3 stride -2'), ['bad-value@3:21']);
  assert.match(analysis.diagnostics[0]!.message, /whole numbers above 0, not -2/);
  expectOnly(model('  leakyrelu -0.5'), []);
  // Spaced on both sides, unspaced, or in parentheses it still subtracts.
  const widths = (line: string) => analyze(`block b(f) {\n  ${line}\n}\n` + model('  b(10)')).models[0]!.nodes[1]!.outputShape?.at(-1);
  assert.equal(widths('conv f - 2 1x1'), 8);
  assert.equal(widths('conv f-2 1x1'), 8);
  assert.equal(widths('conv (f -2) 1x1'), 8);
});

test('a problem inside a block shows at every call that produced it, and at the call', () => {
  // Six 2×2 pools on 32×32: the sixth sees 1×1.
  const text = 'block down(f) {\n  conv f 3x3 pad 1 relu\n  maxpool 2x2\n}\n' + model('  down(8)\n  down(8)\n  down(8)\n  down(8)\n  down(8)\n  down(8)', '32x32x3');
  const analysis = expectOnly(text, ['kernel-too-large@3:3', 'kernel-too-large@12:3']);
  const [inBlock, atSixth] = analysis.diagnostics;
  assert.deepEqual(inBlock!.related!.map((r) => where(analysis, { ...inBlock!, span: r.span })), ['12:3']);
  assert.match(atSixth!.message, /^this call of down fails: maxpool: kernel 2×2 is larger than its 1×1 input/);
  assert.equal(where(analysis, { ...atSixth!, span: atSixth!.related![0]!.span }), '3:3');
  // Two calls that fail alike: one diagnostic in the block, naming both, and one at each call.
  const both = expectOnly('block pool(k) {\n  maxpool k\n}\n' + model('  concat {\n    { pool(9) }\n    { pool(9) }\n  }', '4x4x1'), ['kernel-too-large@2:3', 'kernel-too-large@7:7', 'kernel-too-large@8:7']);
  assert.deepEqual(both.diagnostics[0]!.related!.map((r) => where(both, { ...both.diagnostics[0]!, span: r.span })), ['7:7', '8:7']);
  // Nested calls: the chain is named, and the outermost call carries it.
  const nested = expectOnly('block down(f) {\n  maxpool 2x2\n}\nblock twice() {\n  down(1)\n  down(1)\n}\n' + model('  twice()\n  twice()', '4x4x1'), ['kernel-too-large@2:3', 'kernel-too-large@11:3']);
  assert.match(nested.diagnostics[1]!.message, /this call of twice → down fails/);
});

test('a syntax error inside a block keeps its calls and reports no unused block', () => {
  const text = 'block fire(s, e) {\n  squeeze: conv s 1x1 relu)\n  concat { { conv e 1x1 relu } { conv e 3x3 pad 1 relu } }\n}\n' + model('  fire2: fire(16, 64)\n  fire3: fire(16, 64', '32x32x3');
  const analysis = expectOnly(text, ['syntax@2:27', 'syntax@8:21']);
  const names = layerNames(analysis.models[0]!);
  assert.deepEqual(names, ['input_1', 'fire2/squeeze', 'fire2/conv_1', 'fire2/conv_2', 'fire2/concat_1', 'fire3/squeeze', 'fire3/conv_1', 'fire3/conv_2', 'fire3/concat_1']);
});

test('layers inside a labelled call are qualified by it, and older runs\' names still find them', () => {
  const text = 'block fire(s, e) {\n  squeeze: conv s 1x1 relu\n  concat { { conv e 1x1 relu } { conv e 3x3 pad 1 relu } }\n}\n' + model('  conv 8 1x1\n  fire2: fire(16, 64)\n  conv 8 1x1', '32x32x3');
  const graph = analyze(text).models[0]!;
  assert.deepEqual(layerNames(graph), ['input_1', 'conv_1', 'fire2/squeeze', 'fire2/conv_1', 'fire2/conv_2', 'fire2/concat_1', 'conv_4']);
  assert.deepEqual(legacyLayerNames(graph), ['input_1', 'conv_1', 'fire2/squeeze', 'conv_2', 'conv_3', 'concat_1', 'conv_4']);
  assert.equal(findLayerIndex(graph, 'fire2/conv_2'), 4);
  assert.equal(findLayerIndex(graph, 'conv_3'), 4, 'a run folder made before qualification names it conv_3');
  assert.equal(findLayerIndex(graph, 'nothing'), -1);
});

test('split gives each tower its share of the channels: the 2012 AlexNet as two towers counts as its groups 2 form', () => {
  const alexnet = sample('alexnet.cnn');
  assert.equal(trainable(alexnet, 'AlexNetTowers'), 60_965_224);
  assert.equal(trainable(alexnet, 'AlexNetTowers'), trainable(alexnet, 'AlexNetOriginal'));
  const graph = expectOnly(model('  conv 8 1x1\n  split {\n    { conv 6 3x3 pad 1 }\n    { }\n  }', '8x8x1'), []).models[0]!;
  assert.deepEqual(graph.nodes.filter((n) => n.op === 'slice').map((n) => [n.attrs.start, n.attrs.size]), [[0, 4], [4, 4]]);
  assert.deepEqual(graph.nodes.at(-1)!.outputShape, [8, 8, 10]);
  assert.equal(graph.nodes.find((n) => n.op === 'conv' && n.attrs.filters === 6)!.params.trainable, 3 * 3 * 4 * 6 + 6);
  expectOnly(model('  split { { } { } }', '8x8x3'), ['channel-groups@3:3']);
  expectOnly(model('  flatten\n  split { { } { } }', '8x8x2'), ['needs-spatial-input@4:3']);
  expectOnly(model('  split { }', '8x8x2'), ['empty-branch@3:3']);
  const uneven = expectOnly(model('  split { { maxpool 2x2 } { } }', '8x8x2'), ['shape-mismatch@3:3']);
  assert.match(uneven.diagnostics[0]!.message, /^split: branches must agree in height and width/);
});

test('a missing } of a residual is reported at the residual, not at the model', () => {
  expectOnly('model M {\n  input 32x32x3\n  residual {\n    conv 3 3x3 pad 1\n  relu\n}\n', ['syntax@3:12']);
  expectOnly('model M {\n  input 32x32x3\n  residual {\n    conv 3 3x3 pad 1\n  relu\n}\nmodel N {\n  input 4\n}\n', ['syntax@3:12']);
  // A merge's missing } ends it at the next layer line, which stays in the model.
  const merge = expectOnly(model('  concat { { conv 3 1x1 } { conv 3 1x1 }\n  relu'), ['syntax@3:10']);
  assert.equal(merge.models[0]!.nodes.at(-1)!.op, 'relu');
});

test('PyTorch\'s and Keras\' words get their did-you-mean: padding 1, strides', () => {
  const padding = expectOnly(model('  conv 8 3x3 padding 1'), ['unknown-option@3:14']);
  assert.equal(padding.diagnostics[0]!.hint, "did you mean 'pad'?");
  const strides = expectOnly(model('  conv 8 3x3 strides 2'), ['unknown-option@3:14']);
  assert.equal(strides.diagnostics[0]!.hint, "did you mean 'stride'?");
  expectOnly(model('  maxpool pool_size 2'), ['unknown-option@3:11']);
});

test('a model without an input line gets one error, not one per layer', () => {
  expectOnly('model M {\n  conv 8 3x3\n  relu\n  maxpool 2x2\n  flatten\n  dense 10\n}\n', ['missing-input@2:3']);
});
