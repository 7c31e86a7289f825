import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { tf } from '../../src/engine/backends/tf';
import { saveBase } from '../fixtures/tiny-base';
import { torchPythonOrSkip } from './pytorch-harness';
import { close, epochEnds, modelFolder, runOn, writeShapes, type Run } from './pytorch-engine-harness';

/**
 * The pytorch engine honours the train section: both engines start from the same weights (the
 * seed's), so with one batch per epoch (batch = limit, no dropout, no augmentation) the order
 * of the examples does not matter and every epoch's loss, accuracy, validation metrics and
 * learning rate must agree. A setting the runtime ignored or got wrong moves them apart.
 */
const python = torchPythonOrSkip();
const skip = python ? false : 'no Python with torch';
before(async () => {
  await tf.setBackend('cpu');
});

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

test('sgd with Nesterov momentum, decay, the lr line, label smoothing, explicit class weights, reducelr, checkpoint, seed, limit, epochs, batch', { skip }, async () => {
  const { torch } = await agree(CONV, 'data mnist; epochs 4; batch 96; limit 96; seed 7; optimizer sgd momentum 0.9 nesterov decay 0.01; lr 0.05; loss crossentropy smoothing 0.1; classweights 1 2 1 1 1 1 1 1 1 0.5; validation 0.25; reducelr factor 0.5 patience 1 monitor val_accuracy; checkpoint monitor val_accuracy');
  const rates = epochEnds(torch).map((e) => e.learningRate);
  assert.ok(rates.some((r) => r < 0.05), `reducelr lowered the rate: ${rates.join(', ')}`);
});

test('adam with its betas, balanced class weights, an aux head, holdout, normalize standard, earlystop with restore, top5', { skip }, async () => {
  const { torch } = await agree(AUX, 'data mnist normalize standard; epochs 4; batch 64; limit 64; seed 3; optimizer adam lr 0.05 beta1 0.8 beta2 0.99; classweights balanced; validation 0.25; earlystop patience 1 mindelta 0.5 monitor val_loss restore; metrics top5');
  assert.ok(torch.final.type === 'done' && torch.final.stoppedEarly && torch.final.bestEpoch === 2 && torch.final.epochsRun === 3, 'stopped at epoch 3, restoring epoch 2');
  assert.ok(epochEnds(torch).every((e) => e.top5 !== undefined && e.valTop5 !== undefined), 'top5 reported');
  const dataset = torch.events.find((e) => e.type === 'dataset');
  assert.ok(dataset?.type === 'dataset' && dataset.validationExamples === 64 && dataset.notes.some((n) => n.startsWith('class weights')), 'holdout and balanced weights');
});

test('rmsprop with momentum and the two stages of fine-tuning a pretrained base (its batchnorm in inference mode)', { skip }, async () => {
  const { dir, file, runs } = modelFolder('input 28x28x1; base: pretrained "base/model.json" until pool freeze all; flatten; out: dense 10 softmax', 'data mnist; epochs 2; batch 64; limit 64; seed 5; validation none; optimizer rmsprop lr 0.01 momentum 0.5; finetune epochs 2 lr 0.001 unfreeze all', 'Transfer');
  await saveBase(join(dir, 'base'));
  const tfjs = await runOn('tfjs', { file, runsDir: runs, backend: 'cpu' });
  const torch = await runOn('pytorch', { file, runsDir: runs });
  const stages = (run: Run) => run.events.filter((e) => e.type === 'stage').map((e) => e.type === 'stage' && [e.name, e.fromEpoch, e.learningRate, e.params.trainable]);
  assert.deepEqual(stages(torch), stages(tfjs));
  epochEnds(tfjs).forEach((t, i) => {
    const p = epochEnds(torch)[i]!;
    assert.ok(close(t.loss, p.loss, 2e-3) && close(t.accuracy, p.accuracy, 1e-6), `epoch ${i + 1}: tfjs ${t.loss}, pytorch ${p.loss}`);
  });
});

test('an image folder with mean/std normalisation, validating on the test split', { skip }, async () => {
  const { dir, file, runs } = modelFolder('input 12x12x3; conv 4 3x3 relu; flatten; dense 2 softmax', 'data "shapes" mean 0.5 x 0.4 x 0.3 std 0.2 x 0.25 x 0.3; epochs 3; batch 24; seed 2; validation split test; optimizer sgd lr 0.05');
  writeShapes(join(dir, 'shapes'), { train: 12, test: 4 });
  const tfjs = await runOn('tfjs', { file, runsDir: runs, backend: 'cpu' });
  const torch = await runOn('pytorch', { file, runsDir: runs });
  epochEnds(tfjs).forEach((t, i) => {
    const p = epochEnds(torch)[i]!;
    assert.ok(close(t.loss, p.loss, 2e-3) && close(t.valLoss, p.valLoss, 2e-3), `epoch ${i + 1}: tfjs ${t.loss}/${t.valLoss}, pytorch ${p.loss}/${p.valLoss}`);
  });
  assert.ok(torch.final.type === 'done' && torch.final.testIsValidation === true);
});

test('every augmentation trains on the pytorch engine (the transforms themselves: test/python/test_train_runtime.py)', { skip }, async () => {
  const { dir, file, runs } = modelFolder('input 12x12x3; conv 4 3x3 relu; flatten; dense 2 softmax', 'data "shapes"; epochs 1; batch 8; seed 2; augment flip vflip crop 2 rotate 15 zoom 0.1 shift 0.1 shear 10');
  writeShapes(join(dir, 'shapes'), { train: 8, val: 2, test: 2 });
  const torch = await runOn('pytorch', { file, runsDir: runs });
  assert.equal(torch.final.type, 'done');
});
