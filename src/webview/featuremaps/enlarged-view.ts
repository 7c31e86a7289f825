import '@vscode-elements/elements/dist/vscode-button/index.js';
import { customElement, element } from '../shared/dom';
import { pixelUnder, tileCanvas } from './tile-grid';
import type { Tile } from './tiles';

const ENLARGED_SIZE = 448;

/** One map or filter enlarged in a modal dialog, with the value under the pointer read below it. */
export class EnlargedView {
  private readonly dialog = element('dialog', 'enlarged');
  private readonly title = element('div', 'enlarged-title');
  private readonly body = element('div', 'enlarged-body');
  private readonly reading = element('div', 'enlarged-reading', ' ');

  constructor() {
    const close = customElement('vscode-button', { secondary: '' }, 'Close');
    close.addEventListener('click', () => this.dialog.close());
    const header = element('div', 'enlarged-header');
    header.append(this.title, close);
    this.dialog.append(header, this.body, this.reading);
    // A click on the backdrop (outside the dialog's box) closes it, as Escape does.
    this.dialog.addEventListener('click', (event) => {
      const box = this.dialog.getBoundingClientRect();
      const inside = event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) this.dialog.close();
    });
    document.body.append(this.dialog);
  }

  show(tile: Tile, title: string): void {
    this.title.textContent = title;
    const canvas = tileCanvas(tile, ENLARGED_SIZE);
    canvas.addEventListener('mousemove', (event) => {
      const [x, y] = pixelUnder(canvas, tile, event);
      this.reading.textContent = `x ${x}, y ${y}: ${tile.valueAt(x, y)}`;
    });
    this.body.replaceChildren(canvas);
    this.reading.textContent = 'Hover to read values';
    this.dialog.showModal();
  }
}
