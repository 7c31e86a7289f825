import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver/node';
import { agreedShape, formatCount, instanceParams, ownInstances } from '../language/instances';
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
    const shape = agreedShape(instances);
    if (shape === undefined) continue;
    const params = new Set(instances.map((i) => instanceParams(i).total));
    const [count] = params;
    const label = params.size === 1 && count !== undefined && count > 0 ? `→ ${shape} · ${formatCount(count)} params` : `→ ${shape}`;
    hints.push({ position: document.document.positionAt(site.span.end), label, kind: InlayHintKind.Type, paddingLeft: true });
  }
  return hints;
}
