import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportPytorch } from '../../src/language/pytorch/export';
import { expectOnly, model } from './helpers';

// `init normal std S` exists so that a sample can start as torchvision's GoogLeNet starts
// (question 9's recipe); glorot stays the default.

test('init normal std S binds on conv and dense; glorot is the default', () => {
  const analysis = expectOnly(model('  conv 4 3x3 init normal std 0.01\n  flatten\n  dense 10 init normal std 0.5\n  dense 2'), []);
  const initOf = (index: number) => {
    const node = analysis.models[0]!.nodes[index]!;
    assert.ok(node.op === 'conv' || node.op === 'dense');
    return [node.attrs.init, node.attrs.std];
  };
  assert.deepEqual(initOf(1), ['normal', 0.01]);
  assert.deepEqual(initOf(3), ['normal', 0.5]);
  assert.deepEqual(initOf(4), ['glorot', undefined]);
});

test('init mistakes are located: a missing spread, a spread without normal, a spread of 0, an unknown scheme', () => {
  expectOnly(model('  conv 4 3x3 init normal'), ['missing-argument@3:19']);
  expectOnly(model('  conv 4 3x3 std 0.01'), ['bad-value@3:18']);
  expectOnly(model('  conv 4 3x3 init glorot std 0.01'), ['bad-value@3:30']);
  expectOnly(model('  flatten\n  dense 4 init normal std 0'), ['bad-value@4:27']);
  const unknown = expectOnly(model('  conv 4 3x3 init uniform'), ['bad-value@3:19']);
  assert.match(unknown.diagnostics[0]!.message, /one of glorot, normal/);
});

test('the PyTorch export starts the same layers the same way', () => {
  const analysis = expectOnly(model('  conv 4 3x3 nobias init normal std 0.01\n  conv 4 3x3\n  flatten\n  dense 2 init normal std 0.02'), []);
  const code = exportPytorch(analysis.models[0]!, analysis).code;
  assert.match(code, /nn\.init\.normal_\(self\.\w+\.weight, std=0\.01\)\n(?!.*zeros_)/);
  assert.match(code, /nn\.init\.normal_\(self\.\w+\.weight, std=0\.02\)\n\s+nn\.init\.zeros_\(self\.\w+\.bias\)/);
  assert.equal(code.match(/nn\.init\./g)!.length, 3, 'the glorot conv keeps PyTorch\'s own line');
});
