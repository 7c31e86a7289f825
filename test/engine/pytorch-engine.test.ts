import assert from 'node:assert/strict';
import { test } from 'node:test';
import { torchPythonOrSkip } from './pytorch-harness';
import { close, epochEnds, modelFolder, runOn, type Run } from './pytorch-engine-harness';

/**
 * The pytorch engine honours the train section: both engines start from the same weights (the
 * seed's), so with one batch per epoch (batch = limit, no dropout, no augmentation) the order
 * of the examples does not matter and every epoch's loss, accuracy, validation metrics and
 * learning rate must agree. A setting the runtime ignored or got wrong moves them apart.
 */
const python = torchPythonOrSkip();
const skip = python ? false : 'no Python with torch';

const CONV = 'input 28x28x1; conv 4 3x3 stride 2 relu; maxpool 2x2; flatten; dense 10 softmax';
const AUX = 'input 28x28x1; c1: conv 4 3x3 stride 2 relu; aux weight 0.3 { globalavgpool; dense 10 softmax }; maxpool 2x2; flatten; dense 10 softmax';

async function agree(model: string, lines: string, tolerance = 2e-3): Promise<{ tfjs: Run; torch: Run }> {
  const { file, runs } = modelFolder(model, lines);
  const tfjs = await runOn('tfjs', { file, runsDir: runs, backend: 'cpu' });
  const torch = await runOn('pytorch', { file, runsDir: runs });
  const [a, b] = [epochEnds(tfjs), epochEnds(torch)];
  assert.equal(b.length, a.length, 'as many epochs');
  a.forEach((t, i) => {
    const p = b[i]!;
    for (const key of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'top5', 'valTop5', 'learningRate'] as const) {
      assert.ok(close(t[key], p[key], tolerance), `epoch ${i + 1} ${key}: tfjs ${t[key]}, pytorch ${p[key]}`);
    }
  });
  assert.equal(torch.final.type, 'done');
  assert.equal(tfjs.final.type, 'done');
  if (torch.final.type === 'done' && tfjs.final.type === 'done') {
    assert.ok(close(tfjs.final.testLoss, torch.final.testLoss, tolerance), `test loss: tfjs ${tfjs.final.testLoss}, pytorch ${torch.final.testLoss}`);
    assert.equal(torch.final.stoppedEarly, tfjs.final.stoppedEarly);
    assert.equal(torch.final.bestEpoch, tfjs.final.bestEpoch);
  }
  return { tfjs, torch };
}

test('sgd with Nesterov momentum, decay, the lr line, label smoothing, explicit class weights, reducelr, seed, limit, epochs, batch', { skip }, async () => {
  const { torch } = await agree(CONV, 'data mnist; epochs 4; batch 96; limit 96; seed 7; optimizer sgd momentum 0.9 nesterov decay 0.01; lr 0.05; loss crossentropy smoothing 0.1; classweights 1 2 1 1 1 1 1 1 1 0.5; validation 0.25; reducelr factor 0.5 patience 1 monitor val_accuracy');
  const rates = epochEnds(torch).map((e) => e.learningRate);
  assert.ok(rates.some((r) => r < 0.05), `reducelr lowered the rate: ${rates.join(', ')}`);
});
