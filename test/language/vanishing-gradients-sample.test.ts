// samples/vanishing-gradients.cnn: what its comments claim of its networks holds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';

const analysis = analyze(readFileSync(join(__dirname, '..', '..', 'samples', 'vanishing-gradients.cnn'), 'utf8'));
const model = (name: string) => analysis.models.find((m) => m.name === name)!;

test('the sample analyses clean and every model trains from its own section', () => {
  assert.deepEqual(analysis.diagnostics, []);
  assert.deepEqual(analysis.trains.map((t) => t.model), ['SigmoidPlain', 'SigmoidResidual', 'Plain20', 'Plain56', 'ResNet56']);
});

test('lesson 1: sigmoid convolutions without batchnorm, with identity shortcuts only in the residual one', () => {
  for (const name of ['SigmoidPlain', 'SigmoidResidual']) {
    const nodes = model(name).nodes;
    assert.equal(nodes.filter((n) => n.op === 'batchnorm').length, 0, name);
    assert.ok(nodes.filter((n) => n.op === 'conv').every((n) => n.attrs.activation === 'sigmoid'), name);
    assert.equal(nodes.filter((n) => n.op === 'conv').length, 13, name);
  }
  assert.equal(model('SigmoidPlain').nodes.filter((n) => n.op === 'add').length, 0);
  assert.equal(model('SigmoidResidual').nodes.filter((n) => n.op === 'add').length, 12);
  assert.equal(model('SigmoidResidual').nodes.filter((n) => n.synthetic === 'shortcut').length, 0, 'identity shortcuts');
});

test('lesson 2: He et al.\'s 6n+2 layers (20 and 56) with batchnorm, shortcuts only in ResNet56', () => {
  const depth = (name: string) => model(name).nodes.filter((n) => (n.op === 'conv' || n.op === 'dense') && !isProjection(name, n.id)).length;
  assert.equal(depth('Plain20'), 20);
  assert.equal(depth('Plain56'), 56);
  assert.equal(depth('ResNet56'), 56);
  for (const name of ['Plain20', 'Plain56']) assert.equal(model(name).nodes.filter((n) => n.op === 'add').length, 0, name);
  assert.equal(model('ResNet56').nodes.filter((n) => n.op === 'add').length, 27);
  assert.equal(model('Plain56').nodes.filter((n) => n.op === 'batchnorm').length, 55);
});

/** A 1x1 convolution written in a `shortcut { }`: the option-B projection, not a layer of the paper's count. */
function isProjection(name: string, id: number): boolean {
  const node = model(name).nodes[id]!;
  return node.op === 'conv' && JSON.stringify(node.attrs.kernel) === '[1,1]';
}
