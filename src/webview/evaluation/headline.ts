import type { EvaluationReport } from '../../protocol/evaluation';
import { element } from '../shared/dom';
import { formatInteger, formatPercent, formatValue } from '../shared/format';

interface Card {
  key: string;
  label: string;
  value: string;
  detail: string;
  title?: string;
}

/** The report's headline numbers as cards: test accuracy first, then calibration. */
export function renderHeadline(container: HTMLElement, report: EvaluationReport): void {
  const { calibration } = report;
  const errors = report.confusion.reduce((sum, row, r) => sum + row.reduce((s, n, c) => s + (r === c ? 0 : n), 0), 0);
  const cards: Card[] = [
    { key: 'accuracy', label: 'Test accuracy', value: formatPercent(report.accuracy), detail: `${formatInteger(report.examples - errors)} of ${formatInteger(report.examples)} test examples right`, title: `from ${report.testData}` },
    { key: 'classes', label: 'Classes', value: formatInteger(report.classes.length), detail: `${formatInteger(errors)} mistakes in all` },
    {
      key: 'ece', label: 'Calibration error (ECE)', value: `${formatPercent(calibration.before.ece)} → ${formatPercent(calibration.after.ece)}`,
      detail: 'expected gap between confidence and accuracy, before → after scaling',
    },
    {
      key: 'nll', label: 'Negative log-likelihood', value: `${formatValue(calibration.before.nll)} → ${formatValue(calibration.after.nll)}`,
      detail: 'before → after scaling',
    },
    {
      key: 'temperature', label: 'Temperature', value: calibration.temperature.toFixed(3),
      detail: `fitted on the ${calibration.fittedOn}`, title: 'Logits are divided by T before the softmax: T > 1 softens over-confident probabilities without changing any prediction.',
    },
  ];
  container.replaceChildren(...cards.map((card) => {
    const box = element('div', 'card');
    box.dataset.card = card.key;
    if (card.title) box.title = card.title;
    box.append(element('div', 'card-label', card.label), element('div', 'card-value', card.value), element('div', 'card-detail', card.detail));
    return box;
  }));
}
