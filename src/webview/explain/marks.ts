/**
 * Maps drawn at their own resolution and scaled by CSS, with boxes laid over them in percent of
 * the map, so a box sits on the same cells at any zoom; clicks are read back the same way.
 */
import type { Tile } from '../featuremaps/tiles';
import { element } from '../shared/dom';

export interface MapFigure {
  frame: HTMLElement;
  canvas: HTMLCanvasElement;
}

/** A tile in a frame that can hold boxes; `longSide` is its display size in CSS pixels. */
export function mapFigure(tile: Tile, longSide: number, description: string): MapFigure {
  const frame = element('div', 'map-frame');
  const canvas = element('canvas', 'map-canvas');
  canvas.width = tile.width;
  canvas.height = tile.height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(tile.rgba), tile.width, tile.height), 0, 0);
  const scale = longSide / Math.max(tile.width, tile.height);
  canvas.style.width = `${tile.width * scale}px`;
  canvas.style.height = `${tile.height * scale}px`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', description);
  frame.append(canvas);
  return { frame, canvas };
}

/** Outlines rows top..bottom and columns left..right (inclusive, may reach past the map into padding). */
export function addBox(figure: MapFigure, box: { top: number; left: number; bottom: number; right: number }, className: string): HTMLElement {
  const { width, height } = figure.canvas;
  const mark = element('div', `map-box ${className}`);
  mark.style.top = `${(box.top / height) * 100}%`;
  mark.style.left = `${(box.left / width) * 100}%`;
  mark.style.height = `${((box.bottom - box.top + 1) / height) * 100}%`;
  mark.style.width = `${((box.right - box.left + 1) / width) * 100}%`;
  Object.assign(mark.dataset, { top: String(box.top), left: String(box.left), bottom: String(box.bottom), right: String(box.right) });
  figure.frame.append(mark);
  return mark;
}

/** The map cell under a mouse event: [row, column]. */
export function cellAt(canvas: HTMLCanvasElement, event: MouseEvent): [number, number] {
  const rect = canvas.getBoundingClientRect();
  const row = Math.floor(((event.clientY - rect.top) / rect.height) * canvas.height);
  const column = Math.floor(((event.clientX - rect.left) / rect.width) * canvas.width);
  return [Math.min(Math.max(row, 0), canvas.height - 1), Math.min(Math.max(column, 0), canvas.width - 1)];
}
