import type { CodeLens, Command } from 'vscode-languageserver/node';
import { hasErrors } from '../language/passes/analyze';
import { totals } from '../language/layer-graph';
import { formatCount, hasFilters } from '../language/editor/instances';
import { layerNames } from '../language/passes/summarize';
import { COMMANDS, type ModelCommandArgs } from '../protocol/lsp';
import type { AnalyzedDocument } from './documents';

/** Layers whose filters and feature maps the Feature maps view can show. */
/**
 * Above each model: Train, Architecture, Summary, its parameter count, Open as PyTorch and Explain an image; above each convolution
 * written in a model's body: Feature maps. The engine refuses a file with any error, so while
 * there is one the Train lens says so (lenses cannot be disabled; the client refuses too).
 */
export function codeLenses(document: AnalyzedDocument): CodeLens[] {
  const { analysis, uri } = document;
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const blocked = hasErrors(analysis);
  const lenses: CodeLens[] = [];
  for (const graph of analysis.models) {
    const decl = analysis.modelDecls.get(graph.name);
    if (!decl || decl.name.span.start !== graph.nameSpan.start) continue;
    const range = document.rangeOf({ start: decl.span.start, end: decl.name.span.end });
    const args: ModelCommandArgs = { uri, model: graph.name, range: document.rangeOf(decl.span) };
    const lens = (command: Command): CodeLens => ({ range, command });
    const firstError = errors[0];
    const trainTooltip = firstError
      ? `The file has ${errors.length} error${errors.length === 1 ? '' : 's'}; the first, on line ${document.rangeOf(firstError.span).start.line + 1}: ${firstError.message}`
      : `Train ${graph.name}`;
    lenses.push(
      lens({ title: blocked ? 'Train (fix errors first)' : 'Train', tooltip: trainTooltip, command: COMMANDS.train, arguments: [args] }),
      lens({ title: 'Architecture', command: COMMANDS.showArchitecture, arguments: [args] }),
      lens({ title: 'Summary', command: COMMANDS.showSummary, arguments: [args] }),
      lens({ title: `${formatCount(totals(graph).params.total)} params`, tooltip: 'Parameters, all layers: open the summary', command: COMMANDS.showSummary, arguments: [args] }),
      lens({ title: 'Open as PyTorch', tooltip: `${graph.name} as a PyTorch nn.Module, beside the model`, command: COMMANDS.openAsPytorch, arguments: [args] }),
      lens({ title: 'Explain an image', tooltip: `An image through ${graph.name}, layer by layer, and the sum behind any value`, command: COMMANDS.explainImage, arguments: [args] }),
    );
    const names = layerNames(graph);
    const seen = new Set<number>();
    for (const node of graph.nodes) {
      // Only lines written in this model's own body: a block's lines belong to every caller. A
      // pretrained line's lens opens its base's first convolution (AlexNet's learned conv1).
      const ownLine = node.scope.length === 0 || (node.scope.length === 1 && node.scope[0]!.block === 'pretrained');
      const inBody = ownLine && !node.synthetic && graph.span.start <= node.span.start && node.span.end <= graph.span.end;
      if (!inBody || !hasFilters(node.op) || seen.has(node.span.start)) continue;
      seen.add(node.span.start);
      const layerArgs: ModelCommandArgs = { uri, model: graph.name, layer: names[node.id]!, range: document.rangeOf(node.span) };
      lenses.push({ range: document.rangeOf(node.span), command: { title: 'Feature maps', command: COMMANDS.showFeatureMaps, arguments: [layerArgs] } });
    }
  }
  return lenses;
}
