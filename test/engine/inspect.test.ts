import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspectLayer, loadInspectable } from '../../src/engine/explanation/feature-maps';
import { decodeFloat32 as decode } from '../../src/protocol/encoded-array';

const lenet = join(__dirname, '..', '..', 'samples', 'lenet5.cnn');

test("LeNet-5's C1: 6 filters of 5×5, and 6 feature maps of 28×28 for a test digit", async () => {
  const model = await loadInspectable({ file: lenet });
  try {
    const result = await inspectLayer(model, { file: lenet, layer: 'C1', sample: 0 });
    assert.deepEqual(result.filters?.shape, [5, 5, 1, 6]);
    assert.deepEqual(result.activations.shape, [28, 28, 6]);
    assert.deepEqual(result.input.shape, [28, 28, 1]);
    assert.equal(result.label?.name, '7', 'the first MNIST test digit is a 7');
    assert.match(result.weights, /untrained \(seed 42\)/);
    const maps = decode(result.activations);
    assert.equal(maps.length, 28 * 28 * 6);
    // relu outputs, and not all equal: the filters respond to the digit.
    assert.ok(result.activations.min >= 0 && result.activations.max > result.activations.min);
    assert.equal(Math.max(...maps), result.activations.max);
    const pooled = await inspectLayer(model, { file: lenet, layer: 'S2', sample: 0 });
    assert.deepEqual(pooled.activations.shape, [14, 14, 6]);
    assert.equal(pooled.filters, undefined);
  } finally {
    model.compiled.model.dispose();
  }
});

test('an unknown layer names the layers there are', async () => {
  const model = await loadInspectable({ file: lenet });
  try {
    await assert.rejects(inspectLayer(model, { file: lenet, layer: 'C9' }), /no layer 'C9' \(layers: input_1, C1, S2/);
  } finally {
    model.compiled.model.dispose();
  }
});
