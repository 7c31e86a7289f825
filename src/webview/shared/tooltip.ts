import { element } from './dom';

/**
 * One floating tooltip per view: a title line and detail lines, placed beside the pointer and
 * kept inside the window. Positioned through the CSSOM (allowed by the views' CSP).
 */
export class Tooltip {
  private readonly box = element('div', 'tooltip');

  constructor(parent: HTMLElement = document.body) {
    this.box.setAttribute('role', 'tooltip');
    this.box.hidden = true;
    parent.append(this.box);
  }

  show(event: { clientX: number; clientY: number }, title: string, lines: string[]): void {
    this.box.replaceChildren(element('div', 'tooltip-title', title), ...lines.map((line) => element('div', 'tooltip-line', line)));
    this.box.hidden = false;
    this.move(event);
  }

  move(event: { clientX: number; clientY: number }): void {
    const gap = 14;
    const { width, height } = this.box.getBoundingClientRect();
    const left = event.clientX + gap + width > window.innerWidth ? event.clientX - gap - width : event.clientX + gap;
    const top = event.clientY + gap + height > window.innerHeight ? event.clientY - gap - height : event.clientY + gap;
    this.box.style.left = `${Math.max(0, left)}px`;
    this.box.style.top = `${Math.max(0, top)}px`;
  }

  hide(): void {
    this.box.hidden = true;
  }
}
