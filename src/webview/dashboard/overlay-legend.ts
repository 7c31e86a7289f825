import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { customElement, element } from '../shared/dom';
import { formatPercent } from '../shared/format';
import type { Overlay } from './series';

export interface OverlayLegendEvents {
  toggle(runDir: string, visible: boolean): void;
  open(runDir: string): void;
}

/** Earlier runs overlaid on the charts: a checkbox each, and a link to open that run. */
export function renderOverlayLegend(container: HTMLElement, overlays: readonly Overlay[], events: OverlayLegendEvents): void {
  container.hidden = overlays.length === 0;
  if (overlays.length === 0) return;
  const rows = overlays.map((overlay) => {
    const row = element('div', 'overlay-item');
    row.dataset.runDir = overlay.run.runDir;
    const swatch = element('span', 'overlay-swatch');
    swatch.style.borderColor = overlay.colour;
    const checkbox = customElement('vscode-checkbox', { label: overlay.run.name });
    (checkbox as HTMLInputElement).checked = overlay.visible;
    checkbox.addEventListener('change', () => events.toggle(overlay.run.runDir, (checkbox as HTMLInputElement).checked));
    const open = element('button', 'link-button', 'open');
    open.title = `Show ${overlay.run.name} as the main run`;
    open.addEventListener('click', () => events.open(overlay.run.runDir));
    const best = overlay.run.done ? element('span', 'muted', `test ${formatPercent(overlay.run.done.testAccuracy)}`) : undefined;
    row.append(swatch, checkbox, ...(best ? [best] : []), open);
    return row;
  });
  const heading = element('div', 'overlay-heading', 'Earlier runs (dashed: training, dotted: validation)');
  container.replaceChildren(heading, ...rows);
}
