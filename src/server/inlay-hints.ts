import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver/node';
import { agreedShape, baseOf, formatCount, instanceParams, ownInstances } from '../language/editor/instances';
import { formatShape } from '../language/passes/ops';
import type { AnalyzedDocument } from './documents';

/**
 * `→ 28×28×6 · 156 params` after each statement that makes layers: a layer line, a block call,
 * a merge or a residual. A line that makes several layers (in a block, or repeated) gets a hint
 * only when they all agree on the shape, and the count only when they agree on it too.
 */
export function inlayHints(document: AnalyzedDocument, range: Range): InlayHint[] {
  const first = document.offsetAt(range.start);
  const last = document.offsetAt(range.end);
  const hints: InlayHint[] = [];
  for (const site of document.sites) {
    if (site.span.end < first || site.span.end > last) continue;
    const instances = ownInstances(site);
    const base = baseOf(instances);
    if (base) {
      // A pretrained line: the base's output and what of it trains, not its 119 layers one by one.
      const frozen = base.trainable === 0 ? ', frozen' : ` (${formatCount(base.trainable)} trainable)`;
      hints.push({ position: document.document.positionAt(site.span.end), label: `→ ${formatShape(base.output.outputShape)} · ${formatCount(base.trainable + base.nonTrainable)} params${frozen}`, kind: InlayHintKind.Type, paddingLeft: true });
      continue;
    }
    const shape = agreedShape(instances);
    if (shape === undefined) continue;
    const params = new Set(instances.map((i) => instanceParams(i).total));
    const [count] = params;
    const label = params.size === 1 && count !== undefined && count > 0 ? `→ ${shape} · ${formatCount(count)} params` : `→ ${shape}`;
    hints.push({ position: document.document.positionAt(site.span.end), label, kind: InlayHintKind.Type, paddingLeft: true });
  }
  return hints;
}
