/**
 * The "CNNs from LeNet-5 to ResNet" walkthrough: each step's link opens a sample that exists at a
 * line holding what the step is about; every figure its texts state is in the figures table with a
 * source; published errors say single model or ensemble and which error; and each step's check
 * has the answer the tool gives, computed here by the analyzer against figures worked by hand.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseOpenSampleArgs } from '../../src/extension/commands/open-sample-args';
import { analyze } from '../../src/language/passes/analyze';
import { summarize } from '../../src/language/passes/summarize';
import type { GraphNodeJson } from '../../src/protocol/graph';
import { sampleGraph } from '../webview/harness/models';

const root = join(__dirname, '..', '..');
const COURSE_DIR = join(root, 'media', 'walkthrough', 'course');

interface Step { id: string; title: string; description: string; media: { markdown: string } }
interface Figure { text: string; value: string; claim: string; source: string; result?: { models: 'single' | 'ensemble'; metric: string } }

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { walkthroughs: { id: string; title: string; steps: Step[] }[] } };
const course = pkg.contributes.walkthroughs.find((w) => w.id === 'convlab.cnnCourse');
const figures = (JSON.parse(readFileSync(join(COURSE_DIR, 'figures.json'), 'utf8')) as { figures: Figure[] }).figures;

/** Each step, the sample line it opens (what that line must hold) and the view beside it. */
const EXPECTED: Record<string, { sample: string; line: RegExp; view: string }> = {
  cnnVsMlp: { sample: 'lenet5.cnn', line: /^\s*C1: conv 6 5x5/, view: 'summary' },
  lenet5: { sample: 'lenet5.cnn', line: /^\s*C3: conv 16 5x5/, view: 'architecture' },
  alexnet: { sample: 'alexnet.cnn', line: /^\s*conv1: conv 64 11x11 stride 4/, view: 'architecture' },
  vgg: { sample: 'vgg16.cnn', line: /^\s*block1: stage\(64, 2\)/, view: 'architecture' },
  googlenet: { sample: 'googlenet.cnn', line: /^\s*inception3a: inception\(/, view: 'architecture' },
  resnet: { sample: 'resnet18.cnn', line: /^\s*layer2: basic\(128, 2\)/, view: 'architecture' },
};

const LINK = /\[([^\]]+)\]\(command:convlab\.openSample\?([^)]+)\)/g;

/** The openSample links of a step's description, with their decoded arguments. */
function sampleLinks(description: string): { label: string; args: unknown[] }[] {
  return [...description.matchAll(LINK)].map((m) => ({ label: m[1]!, args: JSON.parse(decodeURIComponent(m[2]!)) as unknown[] }));
}

/**
 * The figures a text states. Not figures: the assignment's question numbers in titles, the
 * numbers of a paper's sections, tables and figures (they are the sources), numbers that are part
 * of a name (LeNet-5, ILSVRC-2012, CIFAR-10, top-5) and digits inside identifiers (C3, conv1).
 */
function statedFigures(text: string): string[] {
  const plain = text
    .replace(/\(question \d\)/g, '')
    .replace(/\b(?:Tables?|Figure|sections?)\s+[\dIVX]+(?:\.[\dA-Z]+)*(?:\s+and\s+[\dIVX]+(?:\.[\dA-Z]+)*)?/g, '');
  const numbers = /(?<![A-Za-z0-9_.]|[A-Za-z]-)(?:\d+(?:×\d+)+|\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)%?(?![A-Za-z\d])/g;
  return [...new Set(plain.match(numbers) ?? [])];
}

test('the course is a second walkthrough whose steps follow the theory, LeNet-5 to ResNet', () => {
  assert.ok(course, 'package.json contributes convlab.cnnCourse');
  assert.equal(course.title, 'CNNs from LeNet-5 to ResNet');
  assert.ok(pkg.contributes.walkthroughs.some((w) => w.id === 'convlab.gettingStarted'), 'the first walkthrough stays');
  assert.deepEqual(course.steps.map((s) => s.id), Object.keys(EXPECTED));
});

test('each step opens a shipped sample at the line it is about, with a view, beside a text with its citation and a check', () => {
  for (const step of course!.steps) {
    const expected = EXPECTED[step.id]!;
    const links = sampleLinks(step.description);
    assert.equal(links.length, 1, `${step.id}: one link to open its sample`);
    const { sample, line, view } = parseOpenSampleArgs(links[0]!.args);
    assert.equal(sample, expected.sample, step.id);
    assert.equal(view, expected.view, step.id);
    const lines = readFileSync(join(root, 'samples', sample), 'utf8').split('\n');
    assert.match(lines[line! - 1] ?? '', expected.line, `${step.id}: line ${line} of ${sample}`);
    const markdown = join(root, step.media.markdown);
    assert.ok(existsSync(markdown), `${step.id}: ${step.media.markdown}`);
    const text = readFileSync(markdown, 'utf8');
    assert.match(text, /^> [A-Z]\. .+, "[^"]+/m, `${step.id}: the paper's citation`);
    assert.match(text, /\*\*Check\.\*\* .+\?/s, `${step.id}: ends with a check`);
  }
});

test('the link arguments are checked: a sample outside samples/, a bad line or view is refused with the reason', () => {
  assert.deepEqual(parseOpenSampleArgs([]), { sample: 'lenet5.cnn' });
  assert.throws(() => parseOpenSampleArgs(['../package.json']), /sample must be a \.cnn file name in samples\//);
  assert.throws(() => parseOpenSampleArgs(['lenet5.cnn', 0]), /line must be a whole number from 1, not 0/);
  assert.throws(() => parseOpenSampleArgs(['lenet5.cnn', 3, 'gradcam']), /view must be one of architecture, summary/);
});

test('every figure a text states is in the figures table with its source, and every entry is stated', () => {
  const texts = new Map(course!.steps.map((s) => [s.media.markdown.split('/').pop()!, readFileSync(join(root, s.media.markdown), 'utf8')]));
  for (const [name, text] of texts) {
    for (const value of statedFigures(text)) {
      const entry = figures.find((f) => f.text === name && f.value === value);
      assert.ok(entry, `${name} states ${value}: it needs an entry in media/walkthrough/course/figures.json`);
      assert.ok(entry.source.trim().length > 0 && entry.claim.trim().length > 0, `${name} ${value}: a claim and a source`);
    }
  }
  for (const entry of figures) {
    assert.ok(texts.has(entry.text), `${entry.text} is a step's text`);
    assert.ok(statedFigures(texts.get(entry.text)!).includes(entry.value), `${entry.text} no longer states ${entry.value}`);
  }
  // The descriptions beside the steps state no figure the table lacks either.
  for (const step of course!.steps) {
    const stated = statedFigures(step.description.replace(LINK, '$1'));
    assert.deepEqual(stated.filter((v) => !figures.some((f) => f.value === v)), [], `${step.id}'s description`);
  }
});

test('every published error says what it is: a single model or an ensemble, and top-1 or top-5', () => {
  const results = figures.filter((f) => f.result);
  assert.ok(results.length >= 10);
  for (const figure of results) {
    const text = readFileSync(join(COURSE_DIR, figure.text), 'utf8').replace(/\s+/g, ' ');
    const at = text.indexOf(figure.value);
    // The clause holding the figure: from the previous ";" or ":" or sentence end to the next.
    const start = Math.max(text.lastIndexOf(';', at), text.lastIndexOf(':', at), text.lastIndexOf('. ', at)) + 1;
    const ends = [text.indexOf(';', at), text.indexOf('. ', at)].filter((i) => i >= 0);
    const clause = text.slice(start, Math.min(...ends));
    assert.ok(clause.includes(figure.result!.models), `${figure.text} ${figure.value}: "${clause}" says ${figure.result!.models}`);
    assert.ok(clause.includes(figure.result!.metric), `${figure.text} ${figure.value}: "${clause}" says ${figure.result!.metric}`);
    assert.match(figure.source, /Table|section|Figure/, `${figure.text} ${figure.value}: the source names the table or section`);
  }
});

// ---- the checks' answers, as the hover and the diagram give them ----------------------------

const node = (nodes: GraphNodeJson[], name: string): GraphNodeJson => {
  const found = nodes.find((n) => n.name === name);
  assert.ok(found, `a layer named ${name}`);
  return found;
};

test('check 1: a dense layer in C1\'s place needs 784 × 4,704 + 4,704 = 3,692,640 parameters, 23,671 times C1\'s 156', () => {
  const c1 = summarize(analyze(readFileSync(join(root, 'samples', 'lenet5.cnn'), 'utf8')), 'lenet5.cnn').models[0]!.layers.find((l) => l.name === 'C1')!;
  assert.equal(c1.params, 156);
  assert.equal(c1.denseEquivalent!.params, 3_692_640);
  assert.equal(Math.round(c1.denseEquivalent!.params / c1.params), 23_671);
});

test('check 2: C3 with 32 filters gives C5 (800 − 400) × 120 = 48,000 more parameters', () => {
  const before = node(sampleGraph('lenet5.cnn').nodes, 'C5');
  const after = node(sampleGraph('lenet5.cnn', { edit: (text) => text.replace('C3: conv 16 5x5', 'C3: conv 32 5x5') }).nodes, 'C5');
  assert.equal(before.params, 400 * 120 + 120);
  assert.equal(after.params, 800 * 120 + 120);
  assert.equal(after.params - before.params, 48_000);
});

test('check 3: AlexNet\'s conv1 sees 11×11 pixels with a jump of 4; VGG\'s block1 pair sees 5×5, block2\'s last 14×14', () => {
  const conv1 = node(sampleGraph('alexnet.cnn', { model: 'AlexNet' }).nodes, 'conv1');
  assert.deepEqual([conv1.receptiveField, conv1.jump], [[11, 11], [4, 4]]);
  const vgg = sampleGraph('vgg16.cnn').nodes;
  assert.deepEqual(node(vgg, 'block1/conv_2').receptiveField, [5, 5], '3 + 2');
  // 5, then 2×2 pooling: 6 with jump 2; two 3×3 convolutions add 2 × 2 each: 10, 14.
  assert.deepEqual(node(vgg, 'block2/conv_2').receptiveField, [14, 14]);
});

test('check 4: inception (3a)\'s 1×1 reduction and 3×3 hold 18,432 + 110,592 = 129,024 weights; a 3×3 straight on 192 channels, 221,184', () => {
  const reduced = sampleGraph('googlenet.cnn', { model: 'GoogLeNet' }).nodes;
  assert.equal(node(reduced, 'inception3a/conv_2').params, 192 * 96);
  assert.equal(node(reduced, 'inception3a/conv_3').params, 3 * 3 * 96 * 128);
  assert.equal(node(reduced, 'inception3a/conv_2').params + node(reduced, 'inception3a/conv_3').params, 129_024);
  // The same branch without its reduction, as the analyzer counts it.
  const direct = sampleGraph('googlenet.cnn', { model: 'GoogLeNet', edit: (text) => text.replace('{ cbr(c3r, 1); cbr(c3, 3) }', '{ cbr(c3, 3) }') }).nodes;
  assert.equal(node(direct, 'inception3a/conv_2').params, 221_184);
});

test('check 5: layer2\'s projection shortcut is a 1×1 convolution of 64 × 128 = 8,192 weights; layer1 needs none', () => {
  const nodes = sampleGraph('resnet18.cnn', { model: 'ResNet18' }).nodes;
  const projection = nodes.filter((n) => n.synthetic === 'shortcut' && n.op === 'conv' && n.scope[0]?.label === 'layer2');
  assert.equal(projection.length, 1);
  assert.equal(projection[0]!.params, 8_192);
  assert.equal(nodes.filter((n) => n.synthetic === 'shortcut' && n.scope[0]?.label === 'layer1').length, 0);
});
