import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PytorchRequest } from '../../src/protocol/lsp';
import { sample, TestClient } from './harness';

let client: TestClient;
before(async () => {
  client = await TestClient.start();
});
after(() => client.dispose());

test('convlab/pytorch: the model as PyTorch code, the same the CLI exports', async () => {
  const uri = await client.open(sample('lenet5.cnn'), 'file:///work/samples/lenet5.cnn');
  const result = await client.connection.sendRequest(PytorchRequest, { uri, model: 'LeNet5' });
  assert.ok('code' in result, JSON.stringify(result));
  assert.equal(result.className, 'LeNet5');
  assert.equal(result.parameterCount, 61_706);
  assert.match(result.code, /^"""LeNet5, exported by ConvLab from lenet5\.cnn\./);
  assert.match(result.code, /class LeNet5\(nn\.Module\):/);
  assert.match(result.code, /def make_optimizer\(model: LeNet5\)/);
});

test('convlab/pytorch: a model with errors is refused with the range of the first', async () => {
  const uri = await client.open(sample('lenet5.cnn').replace('5x5 pad 2', '50x50'));
  const result = await client.connection.sendRequest(PytorchRequest, { uri, model: 'LeNet5' });
  assert.ok('error' in result);
  assert.match(result.error, /fix the model's errors first: C1: kernel 50×50/);
  assert.equal(result.range?.start.line, 7);
});
