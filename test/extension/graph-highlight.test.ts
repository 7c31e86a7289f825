import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { graphJson } from '../../src/language/editor/query';
import { nodesAtPosition } from '../../src/extension/panels/graph-highlight';
import type { GraphJson } from '../../src/protocol/graph';

function graphOf(sample: string, model: string): { graph: GraphJson; lines: string[] } {
  const text = readFileSync(join(__dirname, '..', '..', 'samples', sample), 'utf8');
  const analysis = analyze(text);
  const graph = graphJson(analysis.models.find((m) => m.name === model)!, analysis);
  return { graph, lines: text.split('\n') };
}

const lineOf = (lines: string[], needle: string) => lines.findIndex((l) => l.includes(needle));
const names = (graph: GraphJson, ids: number[]) => ids.map((id) => graph.nodes[id]!.name);

test('the cursor on a layer line lights that layer', () => {
  const { graph, lines } = graphOf('lenet5.cnn', 'LeNet5');
  const line = lineOf(lines, 'C1: conv');
  assert.deepEqual(names(graph, nodesAtPosition(graph, { line, character: 4 })), ['C1']);
  // Past the end of the line still means that line.
  assert.deepEqual(names(graph, nodesAtPosition(graph, { line, character: 200 })), ['C1']);
  assert.deepEqual(nodesAtPosition(graph, { line: 0, character: 0 }), []);
});

test('a block call lights every layer it made; a line inside the block lights its layer in every instance', () => {
  const { graph, lines } = graphOf('resnet18.cnn', 'ResNet18');
  const call = nodesAtPosition(graph, { line: lineOf(lines, 'layer2: basic(128, 2)'), character: 4 });
  assert.ok(call.length >= 7, `a basic block with its projection shortcut has at least 7 nodes, got ${call.length}`);
  assert.ok(call.every((id) => graph.nodes[id]!.scope.some((s) => s.label === 'layer2')));
  const inside = nodesAtPosition(graph, { line: lineOf(lines, 'conv filters 3x3 stride s pad 1 nobias'), character: 6 });
  // One first convolution per basic block: 2 + 1 + 1 + 1 + 1 + 1 + 1 = 8 instances.
  assert.equal(inside.length, 8);
  assert.ok(inside.every((id) => graph.nodes[id]!.type === 'Conv2D'));
});
