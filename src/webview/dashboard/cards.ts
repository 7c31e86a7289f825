import { element } from '../shared/dom';
import { formatDuration, formatInteger, formatPercent, formatValue } from '../shared/format';
import { meanEpochSeconds, secondsLeft, type RunModel } from './run-model';

interface Card {
  key: string;
  label: string;
  value: string;
  detail?: string;
  /** Longer text on hover: the backend's reason, the dataset's source. */
  title?: string;
}

/** The run's facts as cards: backend, data, model, time per epoch, time left or taken, test result. */
export function renderCards(container: HTMLElement, run: RunModel): void {
  container.replaceChildren(...cardsOf(run).map((card) => {
    const box = element('div', 'card');
    box.dataset.card = card.key;
    if (card.title) box.title = card.title;
    box.append(element('div', 'card-label', card.label), element('div', 'card-value', card.value));
    if (card.detail) box.append(element('div', 'card-detail', card.detail));
    return box;
  }));
}

export function cardsOf(run: RunModel): Card[] {
  const cards: Card[] = [];
  if (run.start) {
    cards.push({ key: 'model', label: 'Model', value: run.start.model, detail: `${formatInteger(run.start.params.total)} parameters · batch ${run.start.batchSize}` });
  }
  if (run.backend) {
    const replicas = (run.backend.replicas ?? 1) > 1 ? ` · ${run.backend.replicas} replica threads` : '';
    cards.push({ key: 'backend', label: 'Backend', value: run.backend.name, detail: firstClause(run.backend.reason) + replicas, title: run.backend.reason });
  }
  if (run.dataset) {
    const d = run.dataset;
    cards.push({
      key: 'dataset', label: 'Dataset', value: d.name,
      detail: d.testIsValidation
        ? `${formatInteger(d.trainExamples)} train · ${formatInteger(d.validationExamples)} validation, also the test split`
        : `${formatInteger(d.trainExamples)} train · ${formatInteger(d.validationExamples)} validation · ${formatInteger(d.testExamples)} test`,
      title: [d.source, ...d.notes].join('\n'),
    });
  }
  const stage = run.stages.at(-1);
  if (stage) {
    cards.push({
      key: 'stage', label: `Stage ${stage.stage} of ${stage.stages}`, value: stage.name === 'fine-tune' ? 'Fine-tuning' : 'Head on frozen base',
      detail: `${formatInteger(stage.params.trainable)} trainable · ${formatInteger(stage.params.nonTrainable)} frozen · lr ${stage.learningRate}`,
      title: run.stages.map((s) => `stage ${s.stage} (${s.name}) from epoch ${s.fromEpoch}: ${formatInteger(s.params.trainable)} trainable, ${formatInteger(s.params.nonTrainable)} non-trainable`).join('\n'),
    });
  }
  const mean = meanEpochSeconds(run);
  const lastEpoch = run.epochs.at(-1);
  if (mean !== undefined && lastEpoch) {
    cards.push({ key: 'epoch-time', label: 'Time per epoch', value: formatDuration(mean), detail: `last ${formatDuration(lastEpoch.seconds)} · ${formatInteger(lastEpoch.examplesPerSecond)} images/s` });
  }
  const left = secondsLeft(run);
  if (run.status === 'running' && left !== undefined) cards.push({ key: 'eta', label: 'Time left', value: `about ${formatDuration(left)}` });
  if (run.done) {
    const d = run.done;
    cards.push({ key: 'training-time', label: 'Training time', value: formatDuration(d.trainingSeconds), detail: `${d.epochsRun} epochs${d.stoppedEarly ? `, stopped early (best epoch ${d.bestEpoch})` : ''}` });
    const scores = `test loss ${formatValue(d.testLoss)}${d.testTop5 !== undefined ? ` · top-5 ${formatPercent(d.testTop5)}` : ''}`;
    if (d.testIsValidation || run.dataset?.testIsValidation) {
      const chosen = d.bestEpoch !== undefined ? `the checkpoint (epoch ${d.bestEpoch}${d.checkpointMonitor ? `, best ${d.checkpointMonitor}` : ''}) was chosen on them` : 'they guided training';
      cards.push({
        key: 'test-accuracy', label: 'Accuracy on the validation images', value: formatPercent(d.testAccuracy),
        detail: `not a test result: no separate test split, and ${chosen} · ${scores}`,
        title: 'The dataset has no test split, so the validation images stand in for it. An accuracy measured on the images that picked the checkpoint is optimistic: hold out a test folder (test/<class>/) for an unbiased figure.',
      });
    } else {
      cards.push({ key: 'test-accuracy', label: 'Test accuracy', value: formatPercent(d.testAccuracy), detail: scores });
    }
  }
  return cards;
}

/** "WebAssembly with SIMD …; skipped cuda: …" → its first clause, the rest is in the title. */
function firstClause(text: string): string {
  return text.split(';')[0]!;
}
