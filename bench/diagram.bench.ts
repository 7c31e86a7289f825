/**
 * How fast the architecture view lays out and draws ResNet-50 (175 layers) in headless Chromium:
 * ELK's layout, D3's drawing, and the first paint after it, as the view measures itself
 * (performance measure 'convlab:diagram-render'). Target: median under 300 ms on our 2-core
 * machines. Needs the built bundle (npm run build) and /usr/bin/chromium.
 * Run: npx tsx bench/diagram.bench.ts [--runs N]
 */
import { parseArgs } from 'node:util';
import { Harness } from '../test/webview/harness/browser';
import { sampleGraph } from '../test/webview/harness/models';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(values.runs);
const TARGET_MS = 300;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  // The view reuses a layout when only shapes or counts change, so the renders alternate between
  // two structures, as when a block is added and removed: every render runs ELK.
  const graph = sampleGraph('resnet50.cnn');
  const edited = sampleGraph('resnet50.cnn', { edit: (text) => text.replace('layer3: stage(256, 6, 2)', 'layer3: stage(256, 5, 2)') });
  const harness = new Harness();
  try {
    const view = await harness.open('architecture');
    const renders: { total: number; layout: number }[] = [];
    // Each graph message re-renders from scratch (a keystroke in the editor sends one).
    for (let i = 1; i <= runs + 1; i++) {
      await view.deliver({ type: 'graph', graph: i % 2 ? graph : edited, hasErrors: false, fileName: 'resnet50.cnn' });
      await view.renders(i);
      renders.push(await view.page.evaluate(() => ({
        total: performance.getEntriesByName('convlab:diagram-render')[0]!.duration,
        layout: performance.getEntriesByName('convlab:diagram-layout')[0]!.duration,
      })));
    }
    const [first, ...warm] = renders;
    const total = median(warm.map((r) => r.total));
    const layout = median(warm.map((r) => r.layout));
    console.log(`ResNet-50 diagram (${graph.nodes.length} layers, ${graph.edges.length} edges), Chromium, ${runs} renders after a first one`);
    console.log(`  first render (cold):         ${first!.total.toFixed(0)} ms (layout ${first!.layout.toFixed(0)} ms)`);
    console.log(`  median layout + draw:        ${total.toFixed(0)} ms (layout ${layout.toFixed(0)} ms, draw and paint ${(total - layout).toFixed(0)} ms)`);
    console.log(`  target: under ${TARGET_MS} ms: ${total < TARGET_MS ? 'met' : 'MISSED'}`);
    const problems = await view.problems();
    if (problems.length > 0) throw new Error(`the view reported problems:\n${problems.join('\n')}`);
  } finally {
    await harness.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
