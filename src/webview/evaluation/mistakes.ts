import type { EvaluationReport } from '../../protocol/evaluation';
import { element } from '../shared/dom';
import { formatPercent } from '../shared/format';

/**
 * The most confident mistakes: the test examples the model was surest about and got wrong, often
 * mislabelled data or a real blind spot. Each has a Grad-CAM button to see where the model looked.
 */
export function renderMistakes(container: HTMLElement, report: EvaluationReport, explain: (sample: number) => void): void {
  if (report.worst.length === 0) {
    container.replaceChildren(element('div', 'muted', 'No mistakes on the test split.'));
    return;
  }
  const table = element('table', 'mistakes-table');
  const head = element('tr');
  head.append(element('th', 'number', 'test example'), element('th', '', 'true class'), element('th', '', 'predicted'), element('th', 'number', 'confidence (calibrated)'), element('th', '', 'file'), element('th'));
  table.append(element('thead'), element('tbody'));
  table.tHead!.append(head);
  for (const mistake of report.worst) {
    const row = element('tr');
    row.dataset.index = String(mistake.index);
    const button = element('button', 'link-button', 'Grad-CAM');
    button.title = `Where the model looked in test example ${mistake.index} when it said ${mistake.predicted}`;
    button.addEventListener('click', () => explain(mistake.index));
    const action = element('td');
    action.append(button);
    const example = element('td', 'number', String(mistake.index));
    // The file, so the student can send that very image to the service or open it.
    if (mistake.file) example.title = mistake.file;
    row.append(example, element('td', '', mistake.label), element('td', 'predicted', mistake.predicted), element('td', 'number', formatPercent(mistake.confidence, 1)), element('td', 'file', mistake.file ? basenameOf(mistake.file) : ''), action);
    table.tBodies[0]!.append(row);
  }
  container.replaceChildren(table);
}

function basenameOf(path: string): string {
  return path.split(/[\\/:]/).pop() ?? path;
}
