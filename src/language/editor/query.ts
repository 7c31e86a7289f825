import type { GraphJson } from '../../protocol/graph';
import type { Analysis } from '../passes/analyze';
import type { LayerNode, ModelGraph } from '../layer-graph';
import { lex, type Token } from '../passes/lexer';
import { layerNames, layerType, rangeOf } from '../passes/summarize';
import { spanContains } from '../text';

/** The layers made by the statement under an offset: one per block call when it sits in a block. */
export interface LayersAt {
  model: ModelGraph;
  nodes: LayerNode[];
}

/** Every model's nodes whose own statement is the innermost one under the offset. */
export function layersAt(analysis: Analysis, offset: number): LayersAt[] {
  const found: LayersAt[] = [];
  for (const model of analysis.models) {
    const hits = model.nodes.filter((n) => !n.synthetic && spanContains(n.span, offset));
    if (hits.length === 0) continue;
    const narrowest = Math.min(...hits.map((n) => n.span.end - n.span.start));
    found.push({ model, nodes: hits.filter((n) => n.span.end - n.span.start === narrowest) });
  }
  return found;
}

/** What may be typed at an offset: what completion offers there. */
export type CompletionContext =
  | { kind: 'declaration' }
  | { kind: 'statement'; inBlock: boolean }
  | { kind: 'layer-option'; op: string; written: string[] }
  | { kind: 'call-argument'; block: string; index: number }
  | { kind: 'setting'; }
  | { kind: 'setting-value'; key: string; written: string[] }
  | { kind: 'train-model' }
  | { kind: 'none' };

/** Reads the tokens before the cursor on its statement to tell what the user is typing. */
export function completionContext(analysis: Analysis, offset: number): CompletionContext {
  const tokens = lex(analysis.text).filter((t) => t.kind !== 'comment');
  const before = tokens.filter((t) => t.span.end < offset || (t.span.end === offset && t.kind !== 'ident' && t.kind !== 'number' && t.kind !== 'dims'));
  const inString = tokens.some((t) => t.kind === 'string' && t.span.start < offset && offset < t.span.end);
  if (inString) return { kind: 'none' };
  const decl = analysis.document.declarations.find((d) => d.span.start < offset && offset <= d.span.end);
  const statement = statementTokens(before);
  if (!decl) {
    if (statement.length === 0) return { kind: 'declaration' };
    if (statement[0]!.text === 'train' && statement.length === 1) return { kind: 'train-model' };
    return { kind: 'none' };
  }
  if (decl.kind === 'train') {
    if (!insideBraces(before)) return statement.length === 1 ? { kind: 'train-model' } : { kind: 'none' };
    if (statement.length === 0) return { kind: 'setting' };
    return { kind: 'setting-value', key: statement[0]!.text, written: statement.slice(1).map((t) => t.text) };
  }
  if (!insideBraces(before)) return { kind: 'none' };
  const call = openCall(statement);
  if (call) return call;
  const words = statement.length >= 2 && statement[1]!.text === ':' ? statement.slice(2) : statement;
  if (words.length === 0) return { kind: 'statement', inBlock: decl.kind === 'block' };
  const op = words[0]!;
  if (op.kind !== 'ident') return { kind: 'none' };
  return { kind: 'layer-option', op: op.text, written: words.slice(1).map((t) => t.text) };
}

/** Tokens of the statement being typed: back to the last newline, ';', '{' or '}'. */
function statementTokens(before: Token[]): Token[] {
  let start = before.length;
  while (start > 0) {
    const token = before[start - 1]!;
    if (token.kind === 'newline' || (token.kind === 'punct' && (token.text === ';' || token.text === '{' || token.text === '}'))) break;
    start--;
  }
  return before.slice(start).filter((t) => t.kind !== 'eof');
}

function insideBraces(before: Token[]): boolean {
  let depth = 0;
  for (const token of before) {
    if (token.kind !== 'punct') continue;
    if (token.text === '{') depth++;
    else if (token.text === '}') depth = Math.max(0, depth - 1);
  }
  return depth > 0;
}

function openCall(statement: Token[]): CompletionContext | undefined {
  let depth = 0;
  let index = 0;
  for (let i = statement.length - 1; i >= 0; i--) {
    const token = statement[i]!;
    if (token.kind !== 'punct') continue;
    if (token.text === ')') depth++;
    else if (token.text === ',' && depth === 0) index++;
    else if (token.text === '(') {
      if (depth === 0) {
        const callee = statement[i - 1];
        return callee?.kind === 'ident' && callee.span.end === token.span.start ? { kind: 'call-argument', block: callee.text, index } : undefined;
      }
      depth--;
    }
  }
  return undefined;
}

/** The graph of a model for the diagram: nodes with names, shapes and ranges, and edges. */
export function graphJson(graph: ModelGraph, analysis: Analysis): GraphJson {
  const names = layerNames(graph);
  return {
    model: graph.name,
    nodes: graph.nodes.map((node) => ({
      id: node.id,
      name: names[node.id]!,
      type: layerType(node),
      op: node.op,
      outputShape: node.outputShape,
      params: node.params.trainable + node.params.nonTrainable,
      trainableParams: node.params.trainable,
      macs: node.macs,
      receptiveField: node.receptiveField,
      jump: node.jump,
      range: rangeOf(analysis.lines, node.span),
      scope: node.scope.map((frame) => ({ block: frame.block, label: frame.label, instance: frame.instance, range: rangeOf(analysis.lines, frame.callSpan) })),
      synthetic: node.synthetic,
    })),
    edges: graph.nodes.flatMap((node) => node.inputs.map((from) => ({ from, to: node.id }))),
    outputs: graph.outputs.map((o) => ({ node: o.node, name: o.name, lossWeight: o.lossWeight })),
  };
}
