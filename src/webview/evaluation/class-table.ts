import type { EvaluationReport } from '../../protocol/evaluation';
import { element } from '../shared/dom';
import { formatInteger, formatPercent } from '../shared/format';

/** Precision, recall, F1 and support per class; critical classes are marked, the weakest F1 flagged. */
export function renderClassTable(container: HTMLElement, report: EvaluationReport): void {
  const critical = new Set((report.critical ?? []).map((c) => c.name));
  const weakest = report.perClass.reduce<number | undefined>((low, c, i) => (low === undefined || c.f1 < report.perClass[low]!.f1 ? i : low), undefined);
  const table = element('table', 'class-table');
  const head = element('tr');
  for (const [title, hint] of [
    ['class', ''],
    ['precision', 'Of the examples predicted as this class, the share that are'],
    ['recall', 'Of the examples of this class, the share found (sensitivity)'],
    ['F1', 'Harmonic mean of precision and recall'],
    ['support', 'Test examples of this class'],
  ] as const) {
    const th = element('th', title === 'class' ? '' : 'number', title);
    if (hint) th.title = hint;
    head.append(th);
  }
  table.append(element('thead'), element('tbody'));
  table.tHead!.append(head);
  report.perClass.forEach((c, i) => {
    const row = element('tr');
    row.dataset.class = c.name;
    const name = element('td', 'class-name', c.name);
    if (critical.has(c.name)) {
      row.classList.add('critical');
      name.append(element('span', 'badge', 'critical'));
    }
    if (i === weakest && report.perClass.length > 2) row.classList.add('weakest');
    row.append(name, number(formatPercent(c.precision, 1)), number(formatPercent(c.recall, 1)), number(c.f1.toFixed(3)), number(formatInteger(c.support)));
    table.tBodies[0]!.append(row);
  });
  container.replaceChildren(table);
}

function number(text: string): HTMLTableCellElement {
  return element('td', 'number', text);
}

/**
 * The classes whose misses cost most (PNEUMONIA in triage): their sensitivity and the examples
 * missed, said in words, because a good overall accuracy can hide a poor one.
 */
export function renderCritical(container: HTMLElement, report: EvaluationReport): void {
  const critical = report.critical ?? [];
  container.hidden = critical.length === 0;
  container.replaceChildren(...critical.map((c) => {
    const box = element('div', 'critical-callout');
    box.dataset.class = c.name;
    // A class with no test examples has no sensitivity (the engine's NaN arrives as null in JSON).
    if (!(c.support > 0) || typeof c.sensitivity !== 'number' || !Number.isFinite(c.sensitivity)) {
      box.append(element('span', 'critical-name', `${c.name}: no test examples`), element('span', 'critical-detail', 'its sensitivity cannot be measured on this test split'));
      return box;
    }
    box.append(
      element('span', 'critical-name', `${c.name} sensitivity ${formatPercent(c.sensitivity, 1)}`),
      element('span', 'critical-detail', `${formatInteger(c.missed)} of ${formatInteger(c.support)} ${c.name} test examples missed (predicted as another class)`),
    );
    return box;
  }));
}
