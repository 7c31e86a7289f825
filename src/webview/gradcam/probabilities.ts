import type { GradCamResult } from '../../protocol/gradcam';
import { element } from '../shared/dom';
import { formatPercent } from '../shared/format';

/** Class names for a result: the run's names, else the indices. */
export function classNamesOf(result: Pick<GradCamResult, 'classes' | 'classNames'>): string[] {
  return result.classNames ?? Array.from({ length: result.classes }, (_, i) => String(i));
}

/** The top classes by probability, best first, each a bar; clicking one explains that class. */
export function renderProbabilities(container: HTMLElement, result: GradCamResult, explain: (classIndex: number) => void, count = 5): void {
  const names = classNamesOf(result);
  const ranked = result.probabilities.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p).slice(0, count);
  container.replaceChildren(...ranked.map(({ p, i }) => {
    const row = element('button', `probability${i === result.classIndex ? ' explained' : ''}`);
    row.dataset.class = String(i);
    row.title = i === result.classIndex ? 'The class the heat map explains' : `Explain ${names[i]} instead`;
    const bar = element('span', 'probability-bar');
    bar.style.width = `${Math.max(0.5, p * 100)}%`;
    const track = element('span', 'probability-track');
    track.append(bar);
    row.append(element('span', 'probability-name', names[i]!), track, element('span', 'probability-value', formatPercent(p, 1)));
    row.addEventListener('click', () => explain(i));
    return row;
  }));
}
