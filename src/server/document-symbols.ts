import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { ModelDecl } from '../language/ast';
import { totals } from '../language/layer-graph';
import { formatCount, ownInstances } from '../language/editor/instances';
import { formatShape } from '../language/passes/ops';
import { layerNames } from '../language/passes/summarize';
import { signature } from '../language/editor/symbols';
import type { Span } from '../language/text';
import type { AnalyzedDocument } from './documents';

/**
 * The outline: models with their layers (named as the summary names them, with the output shape)
 * and the block calls written in their bodies; blocks with their parameters; train sections with
 * their settings.
 */
export function documentSymbols(document: AnalyzedDocument): DocumentSymbol[] {
  const { analysis } = document;
  return analysis.document.declarations.map((decl): DocumentSymbol => {
    const range = document.rangeOf(decl.span);
    if (decl.kind === 'train') {
      const children = decl.settings.map((s) => symbol(document, s.key.name, SymbolKind.Property, s.span, s.key.span, analysis.text.slice(s.key.span.end, s.span.end).trim()));
      return { name: `train ${decl.model?.name ?? ''}`.trim(), kind: SymbolKind.Object, range, selectionRange: document.rangeOf(decl.model?.span ?? decl.keyword.span), children };
    }
    if (decl.kind === 'block') {
      return { name: decl.name.name, kind: SymbolKind.Function, detail: signature(analysis, decl).label.slice(decl.name.name.length), range, selectionRange: document.rangeOf(decl.name.span), children: [] };
    }
    return modelSymbol(document, decl);
  });
}

function modelSymbol(document: AnalyzedDocument, decl: ModelDecl): DocumentSymbol {
  const { analysis } = document;
  const graph = analysis.models.find((m) => m.nameSpan.start === decl.name.span.start);
  const params = graph ? `${formatCount(totals(graph).params.total)} params` : '';
  const instanceOf = decl.instanceOf ? `= ${analysis.text.slice(decl.instanceOf.span.start, decl.instanceOf.span.end)} · ` : '';
  const entries: { span: Span; symbol: DocumentSymbol }[] = [];
  if (graph && decl.body) {
    const names = layerNames(graph);
    for (const site of document.sites) {
      if (site.span.start < decl.span.start || site.span.end > decl.span.end) continue;
      for (const instance of ownInstances(site)) {
        if (instance.model !== graph) continue;
        // Layers inside the blocks this model calls are in the blocks' text, outside this model's range.
        const direct = site.kind === 'layer' ? instance.output.scope.length === 0 : instance.scope.length === 1;
        if (!direct) continue;
        const name = site.kind === 'layer' ? names[instance.output.id]! : instance.scope[0]!.label ?? instance.scope[0]!.block;
        const kind = site.kind === 'layer' ? SymbolKind.Field : SymbolKind.Module;
        entries.push({ span: site.span, symbol: symbol(document, name, kind, site.span, site.span, formatShape(instance.output.outputShape)) });
      }
    }
  }
  return {
    name: decl.name.name,
    kind: SymbolKind.Class,
    detail: instanceOf + params,
    range: document.rangeOf(decl.span),
    selectionRange: document.rangeOf(decl.name.span),
    children: nestBySpan(entries),
  };
}

/** Statements inside a merge or residual become its children, as they are nested in the source. */
function nestBySpan(entries: { span: Span; symbol: DocumentSymbol }[]): DocumentSymbol[] {
  const roots: DocumentSymbol[] = [];
  const open: { span: Span; symbol: DocumentSymbol }[] = [];
  for (const entry of entries) {
    while (open.length > 0 && !contains(open[open.length - 1]!.span, entry.span)) open.pop();
    const parent = open[open.length - 1];
    if (parent) (parent.symbol.children ??= []).push(entry.symbol);
    else roots.push(entry.symbol);
    open.push(entry);
  }
  return roots;
}

function contains(outer: Span, inner: Span): boolean {
  return outer.start <= inner.start && inner.end <= outer.end && (outer.start !== inner.start || outer.end !== inner.end);
}

function symbol(document: AnalyzedDocument, name: string, kind: SymbolKind, span: Span, selection: Span, detail: string): DocumentSymbol {
  return { name, kind, detail, range: document.rangeOf(span), selectionRange: document.rangeOf(selection) };
}
