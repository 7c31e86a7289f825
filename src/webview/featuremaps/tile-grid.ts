import { element } from '../shared/dom';
import type { Tile } from './tiles';

/** On-screen size of a tile's longer side: 5×5 filters and 28×28 maps alike become readable. */
const TILE_SIZE = 96;
/** Layers deep in a network have hundreds of maps: smaller tiles keep them to a few screens. */
const MANY_TILES = 64;
const SMALL_TILE_SIZE = 48;

export interface TileEvents {
  hover(tile: Tile, index: number, x: number, y: number, event: MouseEvent): void;
  leave(): void;
  open?(index: number): void;
}

/** Draws a tile into a canvas through ImageData, enlarged by CSS with crisp pixels. */
export function tileCanvas(tile: Tile, displaySize: number): HTMLCanvasElement {
  const canvas = element('canvas', 'tile-canvas');
  canvas.width = tile.width;
  canvas.height = tile.height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(tile.rgba), tile.width, tile.height), 0, 0);
  const scale = displaySize / Math.max(tile.width, tile.height);
  canvas.style.width = `${Math.round(tile.width * scale)}px`;
  canvas.style.height = `${Math.max(Math.round(tile.height * scale), tile.height === 1 ? 16 : 0)}px`;
  return canvas;
}

/** The pixel of `tile` under the pointer on its canvas. */
export function pixelUnder(canvas: HTMLCanvasElement, tile: Tile, event: MouseEvent): [number, number] {
  const box = canvas.getBoundingClientRect();
  const x = Math.min(tile.width - 1, Math.max(0, Math.floor(((event.clientX - box.left) / box.width) * tile.width)));
  const y = Math.min(tile.height - 1, Math.max(0, Math.floor(((event.clientY - box.top) / box.height) * tile.height)));
  return [x, y];
}

export function renderTileGrid(container: HTMLElement, tiles: Tile[], label: (index: number) => string, events: TileEvents): void {
  const size = tiles.length > MANY_TILES ? SMALL_TILE_SIZE : TILE_SIZE;
  container.replaceChildren(...tiles.map((tile, index) => {
    const figure = element('figure', 'tile');
    figure.dataset.index = String(index);
    const canvas = tileCanvas(tile, size);
    canvas.addEventListener('mousemove', (event) => {
      const [x, y] = pixelUnder(canvas, tile, event);
      events.hover(tile, index, x, y, event);
    });
    canvas.addEventListener('mouseleave', () => events.leave());
    if (events.open) {
      const open = events.open;
      figure.classList.add('openable');
      figure.tabIndex = 0;
      figure.setAttribute('role', 'button');
      figure.setAttribute('aria-label', `enlarge ${label(index)}`);
      figure.addEventListener('click', () => open(index));
      figure.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') open(index);
      });
    }
    figure.append(canvas, element('figcaption', 'tile-label', label(index)));
    return figure;
  }));
}
