import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelGraph } from '../../src/language/layer-graph';
import { analyze } from '../../src/language/passes/analyze';
import { zeroPadSides } from '../../src/language/passes/ops';
import { layerNames } from '../../src/language/passes/summarize';
import { receptiveRegion, windowOf } from '../../src/engine/explanation/receptive-field';
import { model, sample } from '../language/helpers';

/**
 * The region a value reaches, walked back window by window along the first inputs to the image
 * (each window's rows [a·s − p, b·s − p + (k−1)·d]), clamped: what receptiveRegion must agree with
 * although it only adds the padding offset to the analyzer's receptive field and jump.
 */
function walkedBack(graph: ModelGraph, id: number, row: number, column: number) {
  let span = [[row, row], [column, column]] as [number, number][];
  for (let node = graph.nodes[id]!; node.op !== 'input'; node = graph.nodes[node.inputs[0]!]!) {
    const inputShape = graph.nodes[node.inputs[0]!]!.outputShape!;
    const window = windowOf(node, inputShape);
    if (window) span = span.map(([a, b], d) => [a * window.stride[d]! - window.before[d]!, b * window.stride[d]! - window.before[d]! + (window.kernel[d]! - 1) * window.dilation[d]!]);
    if (node.op === 'zeropad') {
      const [top, , left] = zeroPadSides(node.attrs);
      span = span.map(([a, b], d) => [a - [top, left][d]!, b - [top, left][d]!]);
    }
  }
  const [h, w] = graph.nodes[0]!.outputShape! as [number, number];
  const clamp = (v: number, size: number) => Math.min(Math.max(v, 0), size - 1);
  return { top: clamp(span[0]![0], h), left: clamp(span[1]![0], w), bottom: clamp(span[0]![1], h), right: clamp(span[1]![1], w) };
}

function checkEverySpatialLayer(graph: ModelGraph, names: string[]): number {
  let checked = 0;
  for (const node of graph.nodes) {
    if (node.op === 'input' || node.outputShape?.length !== 3 || node.inputs.length !== 1) continue;
    const [h, w] = node.outputShape as [number, number];
    for (const [row, column] of [[0, 0], [Math.floor(h / 2), Math.floor(w / 3)], [h - 1, w - 1]] as [number, number][]) {
      assert.deepEqual(receptiveRegion(graph, node.id, row!, column!), walkedBack(graph, node.id, row!, column!), `${names[node.id]} at (${row}, ${column})`);
      checked++;
    }
  }
  return checked;
}

test('receptive regions from the analyzer\'s field and jump agree with walking the windows back: strides, same and explicit padding, dilation', () => {
  const text = model([
    '  a: conv 8 3x3 stride 2 same relu',
    '  b: maxpool 3x3 stride 2 same',
    '  c: conv 8 3x3 pad 1 dilation 2',
    '  d: zeropad 1',
    '  e: avgpool 2x2',
    '  f: conv 4 5x5 stride 2 same',
  ].join('\n'), '64x64x3');
  const analysis = analyze(text);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const graph = analysis.models[0]!;
  assert.ok(checkEverySpatialLayer(graph, layerNames(graph)) >= 18);
});

test('receptive regions of LeNet-5 and ResNet-18\'s stem and first stage', () => {
  for (const file of ['lenet5.cnn', 'resnet18.cnn']) {
    const graph = analyze(sample(file)).models[0]!;
    const names = layerNames(graph);
    assert.ok(checkEverySpatialLayer(graph, names) > 6, file);
  }
  const lenet = analyze(sample('lenet5.cnn')).models[0]!;
  const c3 = layerNames(lenet).indexOf('C3');
  assert.deepEqual(receptiveRegion(lenet, c3, 0, 0), { top: 0, left: 0, bottom: 11, right: 11 }, 'C3 (0, 0): its 14×14 field, two rows and columns of it in C1\'s padding');
});
