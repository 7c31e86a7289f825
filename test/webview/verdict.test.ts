import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitVerdict, type EpochResult } from '../../src/webview/shared/verdict';

/** Epochs from columns: training loss, training accuracy, validation loss, validation accuracy. */
function epochs(rows: [number, number, number?, number?][]): EpochResult[] {
  return rows.map(([loss, accuracy, valLoss, valAccuracy], i) => ({ epoch: i + 1, loss, accuracy, valLoss, valAccuracy }));
}

test('validation loss rising after its best epoch while training loss falls is overfitting, with the epoch to keep', () => {
  const verdict = fitVerdict({
    epochs: epochs([
      [1.2, 0.6, 1.0, 0.65], [0.8, 0.75, 0.7, 0.76], [0.6, 0.82, 0.55, 0.82], [0.45, 0.87, 0.48, 0.85],
      [0.35, 0.9, 0.44, 0.87], [0.28, 0.92, 0.42, 0.88], [0.22, 0.94, 0.45, 0.88], [0.17, 0.955, 0.49, 0.875], [0.13, 0.965, 0.53, 0.87],
    ]),
  });
  assert.equal(verdict.kind, 'overfitting');
  assert.equal(verdict.text, 'validation loss rose for 3 epochs after epoch 6 while training loss kept falling: overfitting; early stopping would have kept epoch 6');
});

test('one epoch above the best is not yet overfitting (patience 2)', () => {
  const verdict = fitVerdict({ epochs: epochs([[1, 0.9, 0.5, 0.91], [0.8, 0.93, 0.4, 0.93], [0.7, 0.94, 0.42, 0.935]]) });
  assert.equal(verdict.kind, 'good-fit');
});

test('training accuracy far above validation accuracy is overfitting, with the gap', () => {
  const verdict = fitVerdict({ epochs: epochs([[0.3, 0.95, 0.5, 0.88], [0.2, 0.992, 0.49, 0.91]]) });
  assert.equal(verdict.kind, 'overfitting');
  assert.match(verdict.text, /^training accuracy 99.2% but validation 91.0% \(gap 8.2 points\): overfitting/);
});

test('low training accuracy still rising is underfitting: train longer', () => {
  const verdict = fitVerdict({ epochs: epochs([[1.5, 0.4], [1.3, 0.48], [1.2, 0.53], [1.1, 0.56], [1.05, 0.58], [1.0, 0.59], [0.98, 0.6], [0.96, 0.605], [0.95, 0.612], [0.93, 0.62]]) });
  assert.equal(verdict.kind, 'underfitting');
  assert.equal(verdict.text, 'training accuracy 62.0% after 10 epochs and still rising: underfitting — train longer or use a bigger model');
});

test('low training accuracy on a plateau is underfitting: a bigger model', () => {
  const verdict = fitVerdict({ epochs: epochs([[1.0, 0.6, 1.0, 0.6], [0.99, 0.601, 0.99, 0.6]]) });
  assert.match(verdict.text, /no longer rising: underfitting — use a bigger model or a higher learning rate$/);
});

test('validation tracking training is a good fit, with the gap', () => {
  const verdict = fitVerdict({ epochs: epochs([[0.3, 0.95, 0.31, 0.948], [0.1, 0.981, 0.12, 0.977]]) });
  assert.deepEqual(verdict, { kind: 'good-fit', text: 'good fit: validation tracks training (gap 0.4 points)' });
});

test('without a validation split the test accuracy is the reference once known', () => {
  const run = epochs([[0.3, 0.95], [0.1, 0.985]]);
  assert.equal(fitVerdict({ epochs: run }).kind, 'undecided');
  assert.deepEqual(fitVerdict({ epochs: run, testAccuracy: 0.982 }), { kind: 'good-fit', text: 'good fit: test tracks training (gap 0.3 points)' });
  assert.equal(fitVerdict({ epochs: run, testAccuracy: 0.9 }).kind, 'overfitting');
});

test('fewer than two epochs is too early to judge', () => {
  assert.equal(fitVerdict({ epochs: [] }).text, 'no epoch so far: too early to judge the fit');
  assert.equal(fitVerdict({ epochs: epochs([[2, 0.3, 2, 0.3]]) }).text, '1 epoch so far: too early to judge the fit');
});

// Found running GoogLeNetCifar for 3 epochs: training accuracy reached 28% while every
// validation image went to "deer", and the verdict called it underfitting.
const CIFAR = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

test('a model that predicts one class for nearly everything has collapsed: no over/underfitting verdict', () => {
  const run = epochs([[2.1, 0.19, 2.9, 0.1], [1.9, 0.24, 3.4, 0.1], [1.8, 0.28, 3.1, 0.1]]).map((e) => ({ ...e, valMostPredictedClass: 4, valMostPredictedShare: 1 }));
  const verdict = fitVerdict({ epochs: run, classes: CIFAR });
  assert.equal(verdict.kind, 'collapsed');
  assert.match(verdict.text, /^the model predicts "deer" for 100.0% of the validation images while training accuracy is 28.0%: it has collapsed to one class/);
  assert.doesNotMatch(verdict.text, /higher learning rate/);
});

test('without validation, a collapse shows on the test split once the run is done', () => {
  const verdict = fitVerdict({ epochs: epochs([[2.1, 0.19], [1.8, 0.28]]), classes: CIFAR, testAccuracy: 0.1, done: { stoppedEarly: false, testMostPredictedClass: 4, testMostPredictedShare: 0.97 } });
  assert.equal(verdict.kind, 'collapsed');
  assert.match(verdict.text, /"deer" for 97.0% of the test images/);
});

test('a healthy spread of predictions is judged on the curves as before', () => {
  const run = epochs([[0.3, 0.95, 0.31, 0.948], [0.1, 0.981, 0.12, 0.977]]).map((e) => ({ ...e, valMostPredictedClass: 1, valMostPredictedShare: 0.12 }));
  assert.equal(fitVerdict({ epochs: run, classes: CIFAR }).kind, 'good-fit');
});

const OVERFIT = epochs([
  [1.2, 0.6, 1.0, 0.65], [0.8, 0.75, 0.7, 0.76], [0.6, 0.82, 0.55, 0.82], [0.45, 0.87, 0.48, 0.85],
  [0.35, 0.9, 0.44, 0.87], [0.28, 0.92, 0.42, 0.88], [0.22, 0.94, 0.45, 0.88], [0.17, 0.955, 0.49, 0.875], [0.13, 0.965, 0.53, 0.87],
]);

test('the verdict never advises what the run did: early stopping that kept epoch 6 is said to have kept it', () => {
  const stopped = fitVerdict({ epochs: OVERFIT, done: { stoppedEarly: true, bestEpoch: 6 } });
  assert.equal(stopped.text, 'validation loss rose for 3 epochs after epoch 6 while training loss kept falling: overfitting; early stopping ended the run and kept epoch 6');
  const ran = fitVerdict({ epochs: OVERFIT, done: { stoppedEarly: false, bestEpoch: 6 } });
  assert.match(ran.text, /overfitting; the best checkpoint \(best\/\) holds epoch 6: use it rather than the last$/);
});

test('low accuracy with both curves still rising says the run has not converged yet', () => {
  const verdict = fitVerdict({ epochs: epochs([[1.9, 0.3, 1.8, 0.32], [1.6, 0.4, 1.5, 0.41], [1.4, 0.47, 1.35, 0.48]]) });
  assert.equal(verdict.kind, 'underfitting');
  assert.equal(verdict.text, 'training accuracy 47.0% after 3 epochs and validation 48.0%, both still rising: not converged yet rather than a verdict — for now underfitting; train longer and judge again');
});
