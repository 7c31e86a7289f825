import '@vscode-elements/elements/dist/vscode-button/index.js';
import { customElement, element } from '../shared/dom';

const SVG = 'http://www.w3.org/2000/svg';

export interface ArchitecturePage {
  modelName: HTMLElement;
  fileName: HTMLElement;
  summary: HTMLElement;
  warning: HTMLElement;
  empty: HTMLElement;
  svg: SVGSVGElement;
  canvas: SVGGElement;
  legend: HTMLElement;
  buttons: Record<'zoomIn' | 'zoomOut' | 'fit' | 'expandAll' | 'collapseAll' | 'exportSvg' | 'exportPng', HTMLElement>;
}

/** Builds the view's DOM: a toolbar, the diagram's SVG with its arrow markers, and the legend. */
export function buildArchitecturePage(): ArchitecturePage {
  const header = element('header', 'toolbar');
  const title = element('div', 'title');
  const modelName = element('span', 'model-name', 'Architecture');
  const fileName = element('span', 'file-name');
  const summary = element('span', 'summary');
  title.append(modelName, fileName, summary);
  const button = (label: string, tooltip: string) => customElement('vscode-button', { secondary: '', title: tooltip }, label);
  const buttons = {
    zoomIn: button('+', 'Zoom in'),
    zoomOut: button('−', 'Zoom out'),
    fit: button('Fit', 'Fit the whole diagram in view'),
    expandAll: button('Expand all', 'Show every layer of every block'),
    collapseAll: button('Collapse all', 'Fold each block call into one node'),
    exportSvg: button('Export SVG', 'Save the diagram as SVG'),
    exportPng: button('Export PNG', 'Save the diagram as PNG'),
  };
  const actions = element('div', 'actions');
  actions.append(...Object.values(buttons));
  header.append(title, actions);
  const warning = element('div', 'warning', 'The file has errors: the diagram may be partial.');
  warning.setAttribute('role', 'status');
  warning.hidden = true;

  const main = element('main', 'diagram');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'diagram-svg');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'layer graph');
  svg.append(markers());
  const canvas = document.createElementNS(SVG, 'g');
  canvas.setAttribute('class', 'canvas');
  svg.append(canvas);
  // A <details> so the legend folds away without script when it covers part of the diagram.
  const legendBox = element('details', 'legend');
  legendBox.open = true;
  legendBox.append(element('summary', 'legend-summary', 'Legend'));
  const legend = element('div', 'legend-items');
  legendBox.append(legend);
  const empty = element('div', 'empty', 'Waiting for the model…');
  main.append(svg, legendBox, empty);
  document.body.append(header, warning, main);
  return { modelName, fileName, summary, warning, empty, svg, canvas, legend, buttons };
}

/** Arrowheads for ordinary and shortcut edges (their colours come from the stylesheet). */
function markers(): SVGDefsElement {
  const defs = document.createElementNS(SVG, 'defs');
  for (const [id, className] of [['arrow', 'arrow-head'], ['arrow-shortcut', 'arrow-head shortcut']] as const) {
    const marker = document.createElementNS(SVG, 'marker');
    marker.setAttribute('id', id);
    marker.setAttribute('viewBox', '0 0 10 10');
    marker.setAttribute('refX', '9');
    marker.setAttribute('refY', '5');
    marker.setAttribute('markerWidth', '7');
    marker.setAttribute('markerHeight', '7');
    marker.setAttribute('orient', 'auto-start-reverse');
    const head = document.createElementNS(SVG, 'path');
    head.setAttribute('d', 'M0,0L10,5L0,10Z');
    head.setAttribute('class', className);
    marker.append(head);
    defs.append(marker);
  }
  return defs;
}
