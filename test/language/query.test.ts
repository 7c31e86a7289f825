import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { completionContext, graphJson, layersAt, type CompletionContext } from '../../src/language/editor/query';
import { sample } from './helpers';

/** "Text with a cursor, expected answer": `|` marks the cursor. */
function contextAt(textWithCursor: string): CompletionContext {
  const offset = textWithCursor.indexOf('|');
  return completionContext(analyze(textWithCursor.replace('|', '')), offset);
}

test('completion contexts', () => {
  assert.deepEqual(contextAt('|'), { kind: 'declaration' });
  assert.deepEqual(contextAt('model M {\n  input 28x28x1\n  |\n}'), { kind: 'statement', inBlock: false });
  assert.deepEqual(contextAt('model M {\n  input 28x28x1\n  C1: |\n}'), { kind: 'statement', inBlock: false });
  assert.deepEqual(contextAt('model M {\n  input 28x28x1\n  conv 6 5x5 |\n}'), { kind: 'layer-option', op: 'conv', written: ['6', '5x5'] });
  assert.deepEqual(contextAt('model M {\n  input 28x28x1\n  conv 6 5x5 st|\n}'), { kind: 'layer-option', op: 'conv', written: ['6', '5x5'] });
  assert.deepEqual(contextAt('block b(f) {\n  relu; |\n}'), { kind: 'statement', inBlock: true });
  assert.deepEqual(contextAt('model M {\n  input 8x8x1\n  b(1, |\n}'), { kind: 'call-argument', block: 'b', index: 1 });
  assert.deepEqual(contextAt('model M {\n  input 8x8x1\n}\ntrain |'), { kind: 'train-model' });
  assert.deepEqual(contextAt('model M {\n  input 8x8x1\n}\ntrain M {\n  |\n}'), { kind: 'setting' });
  assert.deepEqual(contextAt('model M {\n  input 8x8x1\n}\ntrain M {\n  optimizer |\n}'), { kind: 'setting-value', key: 'optimizer', written: [] });
  assert.deepEqual(contextAt('model M {\n  input 8x8x1\n}\n|'), { kind: 'declaration' });
  assert.deepEqual(contextAt('model M {\n  input 8x8x1\n  # conv |\n}'), { kind: 'statement', inBlock: false });
});

test('the layers at a position: one per call when the line is inside a block', () => {
  const text = sample('vgg16.cnn');
  const analysis = analyze(text);
  const inBlock = layersAt(analysis, text.indexOf('conv filters 3x3'));
  // VGG16 and the 2-class VGG16AntsBees derived from it each make 13 convolutions from the line.
  assert.equal(inBlock.length, 2);
  assert.deepEqual(inBlock.map((layers) => layers.nodes.length), [13, 13]);
  const fc1 = layersAt(analysis, text.indexOf('fc1:') + 6);
  assert.deepEqual(fc1[0]!.nodes.map((n) => n.name), ['fc1']);
  assert.deepEqual(layersAt(analysis, 0), []);
});

test('the diagram graph: nodes, edges, ranges and block scopes', () => {
  const analysis = analyze(sample('googlenet.cnn'));
  const graph = graphJson(analysis.models[0]!, analysis);
  assert.equal(graph.nodes.length, analysis.models[0]!.nodes.length);
  const concat = graph.nodes.find((n) => n.op === 'concat')!;
  assert.equal(graph.edges.filter((e) => e.to === concat.id).length, 4);
  assert.equal(concat.scope[0]!.label, 'inception3a');
  assert.equal(concat.type, 'Concatenate');
  assert.ok(graph.edges.every((e) => e.from < e.to));
});
