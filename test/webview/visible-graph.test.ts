import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blocksOf, shortcutEdges, visibleGraph } from '../../src/webview/architecture/visible-graph';
import { sampleGraph } from './harness/models';

test('ResNet-50 groups by its outermost calls: four stages, with their counts and output shapes', () => {
  const graph = sampleGraph('resnet50.cnn');
  const blocks = blocksOf(graph);
  assert.deepEqual(blocks.map((b) => [b.key, b.title, b.layerIds.length, b.outputShape]), [
    ['layer1', 'layer1 (stage)', 32, [56, 56, 256]],
    ['layer2', 'layer2 (stage)', 42, [28, 28, 512]],
    ['layer3', 'layer3 (stage)', 62, [14, 14, 1024]],
    ['layer4', 'layer4 (stage)', 32, [7, 7, 2048]],
  ]);
  const inBlocks = blocks.reduce((sum, b) => sum + b.params, 0);
  const outside = graph.nodes.filter((n) => n.scope.length === 0).reduce((sum, n) => sum + n.params, 0);
  assert.equal(inBlocks + outside, graph.nodes.reduce((sum, n) => sum + n.params, 0));
});

test('shortcuts: the second input of each residual add, and the projections in and out', () => {
  const graph = sampleGraph('resnet50.cnn');
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const shortcuts = [...shortcutEdges(graph)].map((i) => graph.edges[i]!);
  const intoAdds = shortcuts.filter((e) => byId.get(e.to)!.synthetic === 'residual-add');
  assert.equal(intoAdds.length, 16, 'one per bottleneck');
  assert.equal(shortcuts.length, 16 + 8, 'plus input → projection conv → batchnorm for 4 projections');
  // The main path into each add is not a shortcut.
  const adds = graph.nodes.filter((n) => n.synthetic === 'residual-add');
  for (const add of adds) assert.equal(graph.edges.filter((e) => e.to === add.id).length - intoAdds.filter((e) => e.to === add.id).length, 1);
});

test('a collapsed block is one node; edges into and out of it are kept once, internal ones dropped', () => {
  const graph = sampleGraph('resnet50.cnn');
  const expanded = visibleGraph(graph, new Set());
  assert.equal(expanded.nodes.length, graph.nodes.length);
  assert.equal(expanded.edges.length, graph.edges.length);
  const folded = visibleGraph(graph, new Set(['layer2', 'no-such-block']));
  assert.deepEqual([...folded.collapsed], ['layer2']);
  assert.equal(folded.nodes.length, graph.nodes.length - 42 + 1);
  const block = 'b:layer2';
  const into = folded.edges.filter((e) => e.to === block);
  const out = folded.edges.filter((e) => e.from === block);
  // layer1's last relu feeds both layer2's first conv and its projection: one edge each kind.
  assert.deepEqual(into.map((e) => e.shortcut).sort(), [false, true]);
  assert.ok(out.length >= 1 && out.every((e) => e.to.startsWith('n')));
  for (const id of blocksOf(graph).find((b) => b.key === 'layer2')!.layerIds) assert.equal(folded.visibleIdOf.get(id), block);
});

test('GoogLeNet: calls are named by their labels, unlabelled ones numbered', () => {
  const titles = blocksOf(sampleGraph('googlenet.cnn', { model: 'GoogLeNetAux' })).map((b) => b.title);
  assert.deepEqual(titles.slice(0, 4), ['conv1 (cbr)', 'conv2 (cbr)', 'conv3 (cbr)', 'inception3a (inception)']);
  assert.deepEqual(titles.filter((t) => t.startsWith('auxhead')), ['auxhead #1', 'auxhead #2']);
});
