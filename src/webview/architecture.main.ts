/**
 * The architecture diagram: a model's layer graph laid out by ELK and drawn with D3, beside the
 * source. Hover for shapes and counts, click to jump to the line, fold blocks, zoom, export.
 */
import type { GraphJson } from '../protocol/graph';
import type { ArchitectureFromView, ArchitectureState, ArchitectureToView } from '../protocol/webview';
import { connectBridge } from './shared/bridge';
import { formatCompact, formatInteger } from './shared/format';
import { Tooltip } from './shared/tooltip';
import { exportPng, exportSvg } from './architecture/export';
import { layoutDiagram, warmUpLayout, type Box, type DiagramLayout } from './architecture/layout';
import { renderLegend } from './architecture/legend';
import { buildArchitecturePage } from './architecture/page';
import { drawDiagram, markHighlighted, type DiagramEvents } from './architecture/render';
import { ReceptiveFieldInset } from './architecture/receptive-field';
import { tooltipText } from './architecture/tooltip-text';
import { Viewport } from './architecture/viewport';
import { initiallyCollapsed, visibleGraph, type VisibleGraph } from './architecture/visible-graph';

/** The last render's time (layout, draw, first paint) and its layout part, read by bench/diagram.bench.ts. */
const RENDER_MEASURE = 'convlab:diagram-render';
const LAYOUT_MEASURE = 'convlab:diagram-layout';

const bridge = connectBridge<ArchitectureToView, ArchitectureFromView, ArchitectureState>(['graph', 'highlight', 'sampleInput']);
const page = buildArchitecturePage();
const tooltip = new Tooltip();
let state: ArchitectureState = bridge.startState ?? { uri: '', model: '' };
let collapsed = new Set(state.collapsed ?? []);
let graph: GraphJson | undefined;
let shown: { visible: VisibleGraph; layout: DiagramLayout } | undefined;
let highlighted: number[] = [];
let renderGeneration = 0;
let renders = 0;

const receptiveField = new ReceptiveFieldInset();
page.svg.parentElement!.append(receptiveField.root);

const viewport = new Viewport(page.svg, page.canvas, (transform) => save({ transform }));

const events: DiagramEvents = {
  hover(node, event) {
    const { title, lines } = tooltipText(node);
    tooltip.show(event, title, lines);
    if (node.kind === 'layer') receptiveField.show(node.layer);
  },
  move: (event) => tooltip.move(event),
  leave: () => tooltip.hide(),
  activate(node) {
    if (node.kind === 'layer') bridge.post({ type: 'reveal', range: node.layer.range });
    else setCollapsed(new Set([...collapsed].filter((k) => k !== node.block.key)));
  },
  collapse: (key) => setCollapsed(new Set([...collapsed, key])),
};

page.buttons.zoomIn.addEventListener('click', () => viewport.zoomBy(1.25));
page.buttons.zoomOut.addEventListener('click', () => viewport.zoomBy(0.8));
page.buttons.fit.addEventListener('click', () => shown && viewport.fit(contentBox(shown.layout)));
page.buttons.expandAll.addEventListener('click', () => setCollapsed(new Set()));
page.buttons.collapseAll.addEventListener('click', () => shown && setCollapsed(new Set(shown.visible.blocks.map((b) => b.key))));
page.buttons.exportSvg.addEventListener('click', () => {
  if (shown) bridge.post({ type: 'export', format: 'svg', data: exportSvg(page.svg, page.canvas).text });
});
page.buttons.exportPng.addEventListener('click', () => {
  if (shown) void exportPng(exportSvg(page.svg, page.canvas)).then((data) => bridge.post({ type: 'export', format: 'png', data }));
});

void warmUpLayout();

bridge.listen((message) => {
  switch (message.type) {
    case 'graph':
      if (graph ? message.graph.model !== graph.model : state.collapsed === undefined) {
        // Another model (or the first, with nothing saved): its blocks and extent differ, so
        // start from its own first view.
        collapsed = initiallyCollapsed(message.graph);
        state = { ...state, transform: undefined, collapsed: [...collapsed] };
      }
      graph = message.graph;
      receptiveField.setGraph(graph);
      // The host's initial state names the document; without one the file name is what we know.
      save({ model: graph.model, uri: state.uri || message.fileName });
      showHeader(message.graph, message.fileName, message.hasErrors);
      void render();
      break;
    case 'highlight':
      highlighted = message.nodeIds;
      applyHighlight(true);
      break;
    case 'sampleInput':
      // An answer asked for before the view moved to another model is not this model's input.
      if (!graph || message.model === graph.model) receptiveField.setSample(message.sample);
      break;
  }
});

function setCollapsed(keys: Set<string>): void {
  collapsed = keys;
  save({ collapsed: [...keys] });
  void render();
}

/** Lays out and draws the current graph; a newer graph arriving meanwhile wins. */
async function render(): Promise<void> {
  if (!graph) return;
  const generation = ++renderGeneration;
  const started = performance.now();
  const visible = visibleGraph(graph, collapsed);
  const layout = await layoutDiagram(visible);
  if (generation !== renderGeneration) return;
  const laidOut = performance.now();
  const first = shown === undefined;
  shown = { visible, layout };
  tooltip.hide();
  drawDiagram(page.canvas, visible, layout, events);
  renderLegend(page.legend, visible);
  page.empty.hidden = true;
  if (first) {
    if (state.transform) viewport.set(state.transform);
    else viewport.initial(contentBox(layout));
  }
  applyHighlight(false);
  // Measured once the browser has painted the frame, so style and layout of the SVG count too.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  if (generation !== renderGeneration) return;
  performance.clearMeasures(RENDER_MEASURE);
  performance.clearMeasures(LAYOUT_MEASURE);
  performance.measure(RENDER_MEASURE, { start: started, end: performance.now() });
  performance.measure(LAYOUT_MEASURE, { start: started, end: laidOut });
  document.body.dataset.renders = String(++renders);
}

function applyHighlight(scrollIntoView: boolean): void {
  if (!shown) return;
  const ids = new Set(highlighted.map((id) => shown!.visible.visibleIdOf.get(id)).filter((id): id is string => id !== undefined));
  markHighlighted(page.canvas, ids);
  const boxes = [...ids].map((id) => shown!.layout.nodes.get(id)).filter((b): b is Box => b !== undefined);
  if (scrollIntoView && boxes.length > 0) viewport.reveal(union(boxes));
}

function showHeader(g: GraphJson, fileName: string, hasErrors: boolean): void {
  const params = g.nodes.reduce((sum, n) => sum + n.params, 0);
  const trainable = g.nodes.reduce((sum, n) => sum + n.trainableParams, 0);
  const macs = g.nodes.reduce((sum, n) => sum + n.macs, 0);
  page.modelName.textContent = g.model;
  page.fileName.textContent = fileName.split(/[\\/]/).pop() ?? fileName;
  const counts = trainable === params ? formatInteger(params) : `${formatInteger(params)} (${formatInteger(trainable)} trainable)`;
  page.summary.textContent = `${g.nodes.length} layers · ${counts} parameters · ${formatCompact(macs)} multiply-adds`;
  page.warning.hidden = !hasErrors;
  document.title = `${g.model} architecture`;
}

function save(change: Partial<ArchitectureState>): void {
  state = { ...state, ...change };
  bridge.saveState(state);
}

function contentBox(layout: DiagramLayout): Box {
  return { x: 0, y: 0, width: layout.width, height: layout.height };
}

function union(boxes: Box[]): Box {
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  return { x, y, width: Math.max(...boxes.map((b) => b.x + b.width)) - x, height: Math.max(...boxes.map((b) => b.y + b.height)) - y };
}
