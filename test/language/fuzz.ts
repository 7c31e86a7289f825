import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Inputs for fuzzing the analyzer: token soup, and samples with slices cut, copied and garbled. */
const WORDS = [
  'model', 'block', 'train', 'input', 'conv', 'dwconv', 'sepconv', 'maxpool', 'avgpool', 'globalavgpool', 'dense', 'flatten',
  'batchnorm', 'dropout', 'relu', 'softmax', 'concat', 'add', 'residual', 'shortcut', 'repeat', 'if', 'else', 'aux', 'weight',
  'stride', 'pad', 'same', 'valid', 'dilation', 'groups', 'nobias', 'x', 'f', 's', 'epochs', 'batch', 'optimizer', 'adam', 'lr',
  'data', 'mnist', 'classweights', 'balanced', '0', '1', '2', '3', '7', '64', '-1', '0.5', '1e9', '5x5', '28x28x1', '3x3x3x3',
  '{', '}', '(', ')', ',', ':', ';', '=', '+', '-', '*', '/', '//', '<', '==', '\n', '\n', '\n', ' ', '#', '"', '"a b"', '@', '×', '\t',
  // The constructs added for published architectures: boolean words, the input's shape, towers, signed words.
  'and', 'or', 'not', 'in.c', 'in.h', 'in.w', 'in.channels', 'in.x', 'in', '.', 'split', 'slice', 'stride -2', '-2', '+1', 'padding', 'strides',
];

const PREFIXES = [
  '', 'model M {\n  input 28x28x1\n', 'block b(f, s = 1) {\n', 'model M(a = 2) {\n  input 32x32x3\n  residual {\n', 'train M {\n',
  'model M {\n  input 16x16x4\n  split {\n    {', 'block b(f = in.c // 2) {\n  if f > 1 and not in.h < 2 {\n',
];

export const tokenSoup = fc.tuple(fc.constantFrom(...PREFIXES), fc.array(fc.constantFrom(...WORDS), { maxLength: 120 }))
  .map(([prefix, words]) => prefix + words.join(' '));

const SAMPLES = ['lenet5.cnn', 'alexnet.cnn', 'vgg16.cnn', 'googlenet.cnn', 'resnet18.cnn', 'resnet50.cnn', 'resnet50-keras.cnn', 'transfer-ants-bees.cnn', 'xray-triage.cnn', 'mobilenetv2.cnn', 'densenet121.cnn']
  .map((name) => readFileSync(join(__dirname, '..', '..', 'samples', name), 'utf8'));

const edit = fc.record({
  at: fc.nat(),
  length: fc.nat({ max: 40 }),
  kind: fc.constantFrom('delete', 'duplicate', 'insert', 'replace'),
  text: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...WORDS)),
});

export const mutatedSample = fc.tuple(fc.nat({ max: SAMPLES.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([index, edits]) => {
  let text = SAMPLES[index]!;
  for (const e of edits) {
    const at = e.at % (text.length + 1);
    const end = Math.min(text.length, at + e.length);
    if (e.kind === 'delete') text = text.slice(0, at) + text.slice(end);
    else if (e.kind === 'duplicate') text = text.slice(0, end) + text.slice(at, end) + text.slice(end);
    else if (e.kind === 'insert') text = text.slice(0, at) + e.text + text.slice(at);
    else text = text.slice(0, at) + e.text + text.slice(end);
  }
  return text;
});

/**
 * Well-formed models built from every construct added for published architectures, with random
 * values: conditions with and/or/not, sizes read from in.h/in.w/in.c (in bodies, arguments and
 * defaults), split towers of random count, signed words, labelled calls, residuals with and
 * without an identity shortcut. Most are valid; bad values and shapes come out of the numbers.
 */
const condition = fc.oneof(
  fc.constantFrom('in.c == f', 'in.c != f', 's == 1', 'in.h > 2', 'in.w >= k'),
  fc.tuple(fc.constantFrom('in.c == f', 's == 1', 'in.h > 2', 't'), fc.constantFrom('and', 'or'), fc.constantFrom('in.c == f', 's != 1', 'not t', 'in.w < 4')).map(([a, op, b]) => `${a} ${op} ${b}`),
  fc.constantFrom('not s == 1', 'not (in.c > f) or t', '(s == 1) * (in.c == f)'),
);
const channels = fc.constantFrom('f', 'in.c', 'in.c * t', 'in.c // 2', 'in.c + f', 'f * 2', 'in.channels');
const statement = fc.oneof(
  channels.map((c) => `conv ${c} 1x1 nobias`),
  fc.tuple(fc.constantFrom('1', '2', 's', '-2', '-1', 'in.h'), fc.constantFrom('', ' relu', ' relu6')).map(([s, act]) => `dwconv 3x3 stride ${s} pad 1${act}`),
  fc.constantFrom('batchnorm', 'relu', 'leakyrelu -0.1', 'maxpool 2x2', 'avgpool in.h // 2', 'dropout 0.1'),
  fc.tuple(condition, channels).map(([c, ch]) => `if ${c} { conv ${ch} 3x3 pad 1 } else { relu }`),
  fc.integer({ min: 1, max: 4 }).chain((n) => fc.array(channels, { minLength: n, maxLength: n })).map((towers) => `split { ${towers.map((c) => `{ conv ${c} 3x3 pad 1 }`).join(' ')} }`),
  channels.map((c) => `residual { conv ${c} 3x3 pad 1 }`),
  channels.map((c) => `residual { conv ${c} 3x3 pad 1 } shortcut { }`),
);
export const newConstructs = fc.record({
  body: fc.array(statement, { minLength: 1, maxLength: 6 }),
  calls: fc.array(fc.tuple(fc.constantFrom('', 'stage1: ', 'b: '), fc.constantFrom('in.c', '8', 'in.c // 2', '-4'), fc.constantFrom('1', '2', '-2', 'in.h // 8'), fc.constantFrom('0', '1', 'in.c > 4')), { minLength: 1, maxLength: 5 }),
  input: fc.constantFrom('16x16x4', '8x8x6', '4x4x2', '12x12x3', '32'),
}).map(({ body, calls, input }) => [
  `block blk(f, s = 1, t = in.c > 4, k = in.w // 4) {`,
  ...body.map((line) => `  ${line}`),
  '}',
  'model M {',
  `  input ${input}`,
  ...calls.map(([label, f, s, t]) => `  ${label}blk(${f}, ${s}, t = ${t})`),
  '  split { { } { } }',
  '  globalavgpool',
  '  dense 10 softmax',
  '}',
].join('\n'));
