import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadInspectable } from '../../src/engine/explanation/feature-maps';
import { compileModel } from '../../src/engine/model/compile';
import { saveCheckpoint } from '../../src/engine/model/checkpoint';
import { exampleFor, explainFlow } from '../../src/engine/explanation/forward-flow';
import { explainUnit } from '../../src/engine/explanation/unit-explanation';
import { decodeFloat32 } from '../../src/protocol/encoded-array';
import { ExplainFlowSchema, UnitExplanationSchema, type ExplainFlow, type UnitExplanation } from '../../src/protocol/explain';

// LeNet-5 with its initial weights (seed 42) and the first MNIST test digit. Every check redoes a
// sum from what the webview is sent (the messages, after a JSON round trip and the protocol's
// schema), never from the engine's internals, and holds it to TensorFlow.js's own activation.
const lenet = join(__dirname, '..', '..', 'samples', 'lenet5.cnn');
const relu = (z: number) => Math.max(0, z);

/** What crosses to the webview: JSON, checked by the protocol's schema. */
function sent<T>(schema: { parse(v: unknown): T }, value: unknown): T {
  return schema.parse(JSON.parse(JSON.stringify(value)));
}

/** The engine's activation at a position, read from the flow message's column for that layer. */
function engineValue(flow: ExplainFlow, layer: string, position: number[]): number {
  const column = flow.layers.find((l) => l.name === layer)!;
  const shape = column.activations.shape;
  return decodeFloat32(column.activations)[position.reduce((at, p, d) => at * shape[d]! + p, 0)]!;
}

/** The position of a layer's largest value, so a relu layer's chosen value is not a clipped 0. */
function argmaxPosition(flow: ExplainFlow, layer: string): number[] {
  const column = flow.layers.find((l) => l.name === layer)!;
  const values = decodeFloat32(column.activations);
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  const shape = column.activations.shape;
  return shape.length === 3 ? [Math.floor(best / (shape[1]! * shape[2]!)), Math.floor(best / shape[2]!) % shape[1]!, best % shape[2]!] : [best];
}

test('LeNet-5: a conv, a pool and a dense value are redone from the displayed terms to 1e-5', async () => {
  const model = await loadInspectable({ file: lenet, backend: 'cpu' });
  try {
    const request = { file: lenet, sample: 0 };
    const example = await exampleFor(model, request);
    const flow = sent(ExplainFlowSchema, explainFlow(model, example));
    assert.deepEqual(flow.layers.map((l) => l.name), ['C1', 'S2', 'C3', 'S4', 'flatten_1', 'C5', 'F6', 'out']);
    assert.deepEqual(flow.layers.map((l) => l.explains ?? '-'), ['conv', 'pool', 'conv', 'pool', '-', 'dense', 'dense', 'dense']);
    assert.equal(flow.label?.name, '7');
    const unit = (layer: string, position: number[]): UnitExplanation => sent(UnitExplanationSchema, explainUnit(model, example, { layer, position }));

    // A convolution: 6 input channels × 5×5 window values × weights, plus bias, then relu.
    const convAt = argmaxPosition(flow, 'C3');
    const conv = unit('C3', convAt);
    assert.equal(conv.kind, 'conv');
    if (conv.kind !== 'conv') return;
    assert.equal(conv.channels.length, 6);
    const convSum = conv.channels.reduce((total, c) => total + c.values.reduce((s, v, k) => s + v * c.weights[k]!, 0), conv.bias);
    assert.equal(conv.activation.name, 'relu');
    assert.ok(engineValue(flow, 'C3', convAt) > 0, 'the chosen value is not clipped by relu');
    assert.ok(Math.abs(relu(convSum) - engineValue(flow, 'C3', convAt)) < 1e-5, `${relu(convSum)} vs ${engineValue(flow, 'C3', convAt)}`);
    // The window values are S2's values there: [row, column] of S2 at window.top + a, window.left + b.
    const s2 = flow.layers.find((l) => l.name === 'S2')!;
    const s2Values = decodeFloat32(s2.activations);
    assert.equal(conv.channels[3]!.values[2 * 5 + 1], s2Values[((conv.window.top + 2) * 14 + conv.window.left + 1) * 6 + 3]);
    // Receptive field on the image: the analyzer's 14×14 field with jump 2, shifted by C1's pad 2.
    assert.deepEqual(conv.receptiveField, {
      top: Math.max(0, 2 * convAt[0]! - 2), left: Math.max(0, 2 * convAt[1]! - 2),
      bottom: Math.min(27, 2 * convAt[0]! + 11), right: Math.min(27, 2 * convAt[1]! + 11),
    });

    // A pooling value: the max of its 2×2 window on C1.
    const poolAt = argmaxPosition(flow, 'S2');
    const pool = unit('S2', poolAt);
    assert.ok(pool.kind === 'pool' && pool.mode === 'max');
    if (pool.kind !== 'pool') return;
    const counted = pool.values.filter((v): v is number => v !== null);
    assert.equal(counted.length, 4);
    assert.ok(Math.abs(Math.max(...counted) - engineValue(flow, 'S2', poolAt)) < 1e-5);
    assert.equal(pool.values[pool.chosen!], Math.max(...counted));
    assert.deepEqual(pool.receptiveField, { top: Math.max(0, 2 * poolAt[0]! - 2), left: Math.max(0, 2 * poolAt[1]! - 2), bottom: Math.min(27, 2 * poolAt[0]! + 3), right: Math.min(27, 2 * poolAt[1]! + 3) });

    // A dense unit: its top terms, the rest summed, the bias, then relu.
    const denseAt = argmaxPosition(flow, 'C5');
    const dense = unit('C5', denseAt);
    assert.equal(dense.kind, 'dense');
    if (dense.kind !== 'dense') return;
    assert.equal(dense.top.length + dense.rest.count, 400);
    for (const t of dense.top) assert.ok(Math.abs(t.input * t.weight - t.product) < 1e-6);
    const denseSum = dense.top.reduce((s, t) => s + t.product, 0) + dense.rest.sum + dense.bias;
    assert.ok(Math.abs(relu(denseSum) - engineValue(flow, 'C5', denseAt)) < 1e-5, `${relu(denseSum)} vs ${engineValue(flow, 'C5', denseAt)}`);
    // Inputs come from S4 (5×5×16) through flatten: `from` says where.
    assert.equal(dense.flattenedFrom, 'S4');
    const s4 = decodeFloat32(flow.layers.find((l) => l.name === 'S4')!.activations);
    const [r, q, c] = dense.top[0]!.from!;
    assert.equal(dense.top[0]!.input, s4[(r! * 5 + q!) * 16 + c!]);

    // The output: a softmax over every logit, the unit's own among them, ends the flow.
    const predicted = flow.prediction!.ranked[0]!;
    const out = unit('out', [predicted.index]);
    assert.ok(out.kind === 'dense' && out.activation.name === 'softmax');
    if (out.kind !== 'dense') return;
    const outSum = out.top.reduce((s, t) => s + t.product, 0) + out.rest.sum + out.bias;
    const logits = out.activation.logits!;
    assert.ok(Math.abs(logits[predicted.index]! - outSum) < 1e-5);
    const probability = Math.exp(outSum) / logits.reduce((s, z) => s + Math.exp(z), 0);
    assert.ok(Math.abs(probability - engineValue(flow, 'out', [predicted.index])) < 1e-5);
    assert.ok(Math.abs(probability - predicted.probability) < 1e-5);
    assert.equal(flow.prediction!.calibrated, false);
    assert.match(flow.prediction!.calibration, /not calibrated/);
  } finally {
    model.compiled.model.dispose();
  }
});

test('a position outside the layer and a layer without a sum get errors that say so', async () => {
  const model = await loadInspectable({ file: lenet, backend: 'cpu' });
  try {
    const example = await exampleFor(model, { file: lenet, sample: 0 });
    assert.throws(() => explainUnit(model, example, { layer: 'C1', position: [28, 0, 0] }), /C1: position \[28, 0, 0\] is outside its output 28×28×6/);
    assert.throws(() => explainUnit(model, example, { layer: 'flatten_1', position: [3] }), /flatten_1: Flatten values are shown, but only convolutions/);
    assert.throws(() => explainUnit(model, example, { layer: 'C9', position: [0] }), /no layer 'C9'/);
  } finally {
    model.compiled.model.dispose();
  }
});

test('with a run: its best weights, its class names, and probabilities calibrated by its temperature', async () => {
  // A run folder made by hand: LeNet-5 with other seeded weights as best/, the names and temperature a run keeps.
  const plain = await loadInspectable({ file: lenet, backend: 'cpu' });
  const run = mkdtempSync(join(tmpdir(), 'convlab-explain-run-'));
  const other = compileModel(plain.loaded.graph, { seed: 7 });
  await saveCheckpoint(join(run, 'best'), other.model, undefined, { epoch: 1, batchesDone: 0, learningRate: 0.001, trainingSeconds: 1, schedule: {} });
  other.model.dispose();
  const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  writeFileSync(join(run, 'summary.json'), JSON.stringify({ model: 'LeNet5', file: lenet, dataset: { classes: names } }));
  writeFileSync(join(run, 'calibration.json'), JSON.stringify({ temperature: 2, fittedOn: 'validation split' }));
  const trained = await loadInspectable({ file: lenet, run, backend: 'cpu' });
  try {
    const example = await exampleFor(trained, { file: lenet, sample: 0 });
    const flow = sent(ExplainFlowSchema, explainFlow(trained, example, run));
    assert.equal(flow.weights, join(run, 'best'));
    const before = sent(ExplainFlowSchema, explainFlow(plain, await exampleFor(plain, { file: lenet, sample: 0 })));
    assert.notDeepEqual(flow.layers[0]!.activations.data, before.layers[0]!.activations.data, 'the run\'s weights, not the seeded ones');
    const prediction = flow.prediction!;
    assert.equal(prediction.calibrated, true);
    assert.equal(prediction.temperature, 2);
    assert.equal(prediction.calibration, 'temperature 2.000, fitted on the validation split');
    const out = sent(UnitExplanationSchema, explainUnit(trained, example, { layer: 'out', position: [0] }));
    assert.ok(out.kind === 'dense' && out.activation.logits);
    if (out.kind !== 'dense') return;
    const logits = out.activation.logits!;
    const scaled = logits.map((z) => Math.exp(z / 2));
    for (const entry of prediction.ranked) {
      assert.equal(entry.name, names[entry.index]);
      assert.ok(Math.abs(entry.probability - scaled[entry.index]! / scaled.reduce((a, b) => a + b, 0)) < 1e-5);
    }
    // The column of `out` stays the layer's own softmax (temperature 1): what the source defines.
    assert.ok(Math.abs(engineValue(flow, 'out', [0]) - Math.exp(logits[0]!) / logits.reduce((s, z) => s + Math.exp(z), 0)) < 1e-5);

    writeFileSync(join(run, 'calibration.json'), '{"temperature": -1}');
    const broken = explainFlow(trained, example, run).prediction!;
    assert.equal(broken.calibrated, false);
    assert.match(broken.calibration, /^not calibrated: .*calibration\.json: /);
  } finally {
    plain.compiled.model.dispose();
    trained.compiled.model.dispose();
  }
});
