import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineEvent } from '../../src/protocol/engine';
import { cardsOf } from '../../src/webview/dashboard/cards';
import { runFromHistory } from '../../src/webview/dashboard/run-model';

// The ants/bees run that found it: no test/ folder, so val/ is the test split, and early stopping
// chose epoch 10 on those same 153 images.
const events: EngineEvent[] = [
  { type: 'start', runDir: '/r', model: 'AntsBees', file: '/m.cnn', params: { trainable: 1, nonTrainable: 0, total: 1 }, epochs: 12, batchSize: 16 },
  {
    type: 'dataset', name: 'hymenoptera', source: '/data/hymenoptera', checksum: 'x', inputShape: [160, 160, 3], classes: ['ants', 'bees'],
    trainExamples: 243, validationExamples: 153, testExamples: 153, notes: ['no test/ folder: the test split is the validation split'], testIsValidation: true,
  },
  { type: 'done', runDir: '/r', testAccuracy: 0.8758, testLoss: 0.3, trainingSeconds: 60, epochsRun: 12, stoppedEarly: false, bestEpoch: 10, testIsValidation: true, checkpointMonitor: 'val_loss' },
];

test('a run whose test split is its validation split says so, and that the checkpoint was chosen on it', () => {
  const cards = cardsOf(runFromHistory({ name: 'AntsBees', runDir: '/r', events }));
  const dataset = cards.find((c) => c.key === 'dataset')!;
  assert.equal(dataset.detail, '243 train · 153 validation, also the test split');
  const result = cards.find((c) => c.key === 'test-accuracy')!;
  assert.equal(result.label, 'Accuracy on the validation images');
  assert.equal(result.value, '87.58%');
  assert.match(result.detail!, /^not a test result: no separate test split, and the checkpoint \(epoch 10, best val_loss\) was chosen on them/);
});

test('a run with its own test split keeps the plain test accuracy card', () => {
  const plain = events.map((e) => (e.type === 'dataset' || e.type === 'done' ? { ...e, testIsValidation: undefined } : e)) as EngineEvent[];
  const cards = cardsOf(runFromHistory({ name: 'AntsBees', runDir: '/r', events: plain }));
  assert.equal(cards.find((c) => c.key === 'test-accuracy')!.label, 'Test accuracy');
  assert.equal(cards.find((c) => c.key === 'dataset')!.detail, '243 train · 153 validation · 153 test');
});
