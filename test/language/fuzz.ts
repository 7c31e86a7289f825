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
];

const PREFIXES = ['', 'model M {\n  input 28x28x1\n', 'block b(f, s = 1) {\n', 'model M(a = 2) {\n  input 32x32x3\n  residual {\n', 'train M {\n'];

export const tokenSoup = fc.tuple(fc.constantFrom(...PREFIXES), fc.array(fc.constantFrom(...WORDS), { maxLength: 120 }))
  .map(([prefix, words]) => prefix + words.join(' '));

const SAMPLES = ['lenet5.cnn', 'alexnet.cnn', 'vgg16.cnn', 'googlenet.cnn', 'resnet18.cnn', 'resnet50.cnn', 'resnet50-keras.cnn', 'transfer-ants-bees.cnn', 'xray-triage.cnn']
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
