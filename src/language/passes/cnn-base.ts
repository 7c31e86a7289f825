import type { LayerStatement, ModelDecl } from '../ast';
import { closest, DiagnosticSink, type Diagnostic } from '../diagnostic-sink';
import type { Attrs, LayerNode, ModelGraph, ScopeFrame, StateDictBase } from '../layer-graph';
import { matchBaseWeights, type BaseTensor, type FileTensor } from '../pytorch/base-weights';
import { PytorchExportError } from '../pytorch/state';
import { stateTensorsOf } from '../pytorch/tensors';
import { layerNames } from './layer-names';
import { formatShape } from './ops';
import { optionValueSpan, type LayerSelection } from './pretrained';
import type { Span } from '../text';

/**
 * A pretrained base whose topology is a `.cnn` model of the same file and whose weights come
 * from a PyTorch state_dict: `features: pretrained VGG16 weights "torchvision:vgg16" until block5
 * freeze all`. The base model is instantiated on its own, cut at `until`, and its kept layers
 * become the base's nodes, each carrying the state_dict tensors the engine loads into it.
 */

/** What a host reads for a `weights` source: the file's tensors in order (where it can read them cheaply), or why not. */
export type StateDictText = { location: string; tensors?: FileTensor[] } | { error: string; hint?: string };
export type ReadStateDict = (source: string) => StateDictText;

export interface CnnBaseContext {
  models: ReadonlyMap<string, ModelDecl>;
  /** The models whose bases are being resolved: a model cannot be its own base. */
  chain: string[];
  readStateDict?: ReadStateDict;
  lineOf?: (offset: number) => number;
  instantiate: (decl: ModelDecl, chain: string[], input: number[] | undefined, sink: DiagnosticSink) => ModelGraph;
}

export interface CnnBaseLayer {
  node: LayerNode;
  /** Its name in the base model (`block1/conv_1`). */
  name: string;
  frozen: boolean;
  tensors: BaseTensor[];
}

export type CnnBase =
  | { ok: true; model: string; location: string | undefined; layers: CnnBaseLayer[]; input: number; output: number; problems: Diagnostic[] }
  | { ok: false; diagnostic: Diagnostic };

const fail = (code: Diagnostic['code'], span: Span, message: string, hint?: string): CnnBase => ({ ok: false, diagnostic: { severity: 'error', code, span, message, hint } });

export function resolveCnnBase(statement: LayerStatement, attrs: Attrs, shape: number[], context: CnnBaseContext): CnnBase {
  const name = attrs.source as string;
  const sourceSpan = statement.args[0]!.span;
  const decl = context.models.get(name);
  if (!decl) {
    const near = closest(name, [...context.models.keys()]);
    return fail('unknown-model', sourceSpan, `unknown model '${name}'`, near ? `did you mean '${near}'? (a model.json is written as a "path")` : 'name a model of this file, or write a model.json as a "path"');
  }
  if (context.chain.includes(name)) return fail('recursive-block', sourceSpan, `model ${name} cannot be a pretrained base of itself`, `bases: ${[...context.chain, name].join(' → ')}`);
  const weights = attrs.weights as string | undefined;
  if (weights === undefined && attrs.scratch !== true) {
    return fail('missing-argument', statement.span, `a base written as model ${name} needs its weights`, 'add weights "FILE.safetensors" (or .pt), weights "torchvision:NAME", or scratch for fresh ones');
  }
  if (weights !== undefined && attrs.scratch === true) return fail('bad-value', statement.span, 'scratch trains the base from fresh weights: it takes no weights file', 'remove weights, or scratch');
  if (attrs.scratch === true && attrs.freeze !== undefined) return fail('bad-value', statement.span, 'a base trained from scratch has no learned weights to freeze', 'remove freeze, or scratch');

  const sink = new DiagnosticSink();
  let graph = context.instantiate(decl, [...context.chain, name], undefined, sink);
  const firstError = sink.items.find((d) => d.severity === 'error');
  if (firstError) return fail('base-unavailable', sourceSpan, `model ${name} has errors, so it cannot be a base: ${firstError.message}`, 'fix it first');
  let plan = planCut(graph, attrs.until as string | undefined, attrs.freeze as LayerSelection | undefined);
  if ('where' in plan) return fail('unknown-name', optionValueSpan(statement, plan.where) ?? statement.span, plan.message, plan.hint);
  const input = graph.nodes[0]!.outputShape!;
  if (formatShape(input) !== formatShape(shape)) {
    const convolutional = plan.kept.every((id) => graph.nodes[id]!.op !== 'flatten' && graph.nodes[id]!.op !== 'dense');
    if (!convolutional || input.length !== 3 || shape.length !== 3 || input[2] !== shape[2]) {
      return fail('shape-mismatch', statement.span, `model ${name} takes ${formatShape(input)} inputs${convolutional ? ' (any height and width, as the cut is convolutional)' : ''}, but gets ${formatShape(shape)}`, `change the input line to ${input.join('x')}`);
    }
    // A convolutional cut takes any height and width: the base again on this input's.
    graph = context.instantiate(decl, [...context.chain, name], shape, new DiagnosticSink());
    plan = planCut(graph, attrs.until as string | undefined, attrs.freeze as LayerSelection | undefined) as Cut;
  }
  const names = layerNames(graph);
  const tensorsOf = new Map<number, BaseTensor[]>();
  const problems: Diagnostic[] = [];
  let location: string | undefined;
  if (weights !== undefined) {
    const weightsSpan = optionValueSpan(statement, 'weights') ?? statement.span;
    let all: BaseTensor[];
    try {
      let order = 0;
      all = stateTensorsOf(graph).map((t) => ({ ...t, order: t.layout === 'counter' ? -1 : order++, layer: names[t.node]!, line: context.lineOf?.(graph.nodes[t.node]!.span.start) }));
    } catch (error) {
      if (!(error instanceof PytorchExportError)) throw error;
      return fail('unsupported-layer', sourceSpan, `model ${name} has no PyTorch state_dict to load: ${error.message}`);
    }
    const kept = new Set(plan.kept);
    for (const tensor of all) if (kept.has(tensor.node)) tensorsOf.set(tensor.node, [...(tensorsOf.get(tensor.node) ?? []), tensor]);
    const read = context.readStateDict?.(weights) ?? { error: 'no file access here' };
    if ('error' in read) return fail('base-unavailable', weightsSpan, `cannot read the weights ${weights}: ${read.error}`, read.hint ?? 'give a PyTorch state_dict (.safetensors, .pt or .pth) relative to this file, or "torchvision:NAME"');
    location = read.location;
    if (read.tensors) {
      const match = matchBaseWeights([...tensorsOf.values()].flat(), read.tensors);
      if ('problems' in match) {
        for (const problem of match.problems.slice(0, 8)) {
          const layerSpan = graph.nodes[problem.tensor.node]!.span;
          problems.push({
            severity: 'error', code: 'weights-mismatch', span: weightsSpan,
            message: `${weights} does not fit model ${name}: ${problem.message}`,
            hint: match.byOrder ? 'the file\'s tensors are matched by order (its keys are not the exported module\'s): the networks part here' : 'compare with convlab export --to pytorch',
            related: [{ message: `layer ${problem.tensor.layer} of model ${name}`, span: layerSpan }],
          });
        }
      }
    }
  }
  const layers = plan.kept.map((id) => ({ node: graph.nodes[id]!, name: names[id]!, frozen: plan.frozen.has(id), tensors: tensorsOf.get(id) ?? [] }));
  return { ok: true, model: name, location, layers, input: graph.nodes[0]!.id, output: plan.output, problems };
}

interface Cut {
  kept: number[];
  frozen: Set<number>;
  output: number;
}

/** The layers `until` is computed from (the input left out), and which of them `freeze` freezes. */
function planCut(graph: ModelGraph, until: string | undefined, freeze: LayerSelection | undefined): Cut | { where: 'until' | 'freeze'; message: string; hint?: string } {
  const names = layerNames(graph);
  const output = until === undefined ? graph.outputs[0]?.node ?? graph.nodes.length - 1 : find(graph, names, until);
  if (output < 0) return unknownLayer('until', until!, graph, names);
  const seen = new Set<number>();
  const stack = [output];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...graph.nodes[id]!.inputs);
  }
  const kept = [...seen].filter((id) => graph.nodes[id]!.op !== 'input').sort((a, b) => a - b);
  let frozenCount = 0;
  if (freeze === 'all') frozenCount = kept.length;
  else if (typeof freeze === 'number') frozenCount = freeze;
  else if (typeof freeze === 'string' && freeze !== 'none') {
    const last = find(graph, names, freeze);
    if (last < 0 || !seen.has(last)) return unknownLayer('freeze', freeze, graph, names);
    frozenCount = kept.indexOf(last) + 1;
  }
  return { kept, frozen: new Set(kept.slice(0, frozenCount)), output };
}

/** A layer's name in the base model, or the label of a call in it (its last layer). */
function find(graph: ModelGraph, names: string[], wanted: string): number {
  const exact = names.indexOf(wanted);
  if (exact >= 0) return exact;
  const inCall = graph.nodes.filter((n) => n.scope[0]?.label === wanted);
  return inCall.length > 0 ? inCall[inCall.length - 1]!.id : -1;
}

function unknownLayer(where: 'until' | 'freeze', name: string, graph: ModelGraph, names: string[]): { where: 'until' | 'freeze'; message: string; hint?: string } {
  const calls = graph.nodes.map((n) => n.scope[0]?.label).filter((l): l is string => l !== undefined);
  const near = closest(name, [...new Set([...calls, ...names])]);
  return { where, message: `model ${graph.name} has no layer or call named '${name}'`, hint: near ? `did you mean '${near}'?` : `its last layers: ${names.slice(-5).join(', ')}` };
}

interface Flow {
  node: number | null;
  shape: number[] | null;
  receptiveField: [number, number];
  jump: [number, number];
}

export interface CnnBaseTarget {
  nodes: LayerNode[];
  /** The scope of the base's nodes, its `pretrained` frame last. */
  scope: ScopeFrame[];
  sink: DiagnosticSink;
  bases: StateDictBase[];
  maxNodes: number;
}

/**
 * Adds the kept layers of a `.cnn` base after `flow`, as nodes named `features/conv1` under the
 * base's frame, with the origin of their weights; returns the base's output, or undefined after
 * an error (reported), or 'too-large'.
 */
export function addCnnBase(statement: LayerStatement, attrs: Attrs, flow: Flow, target: CnnBaseTarget, context: CnnBaseContext): Flow | undefined | 'too-large' {
  const base = resolveCnnBase(statement, attrs, flow.shape!, context);
  if (!base.ok) {
    target.sink.add(base.diagnostic);
    return undefined;
  }
  for (const problem of base.problems) target.sink.add(problem);
  if (target.nodes.length + base.layers.length > target.maxNodes) return 'too-large';
  const frame = target.scope[target.scope.length - 1]!;
  const ids = new Map<number, number>([[base.input, flow.node!]]);
  const [fh, fw] = flow.receptiveField;
  const [jh, jw] = flow.jump;
  const tensors: BaseTensor[] = [];
  for (const layer of base.layers) {
    const id = target.nodes.length;
    ids.set(layer.node.id, id);
    const origin = base.location === undefined ? {} : { baseSource: base.location, baseLayer: layer.name, baseModel: base.model };
    const params = layer.frozen ? { trainable: 0, nonTrainable: layer.node.params.trainable + layer.node.params.nonTrainable } : layer.node.params;
    const [rh, rw] = layer.node.receptiveField;
    target.nodes.push({
      ...layer.node, id, name: `${frame.label}/${layer.name}`, inputs: layer.node.inputs.map((i) => ids.get(i)!), span: statement.span, scope: target.scope,
      attrs: { ...layer.node.attrs, ...origin, ...(layer.frozen ? { frozen: true } : {}) }, params,
      receptiveField: [fh + (rh - 1) * jh, fw + (rw - 1) * jw], jump: [layer.node.jump[0] * jh, layer.node.jump[1] * jw],
    } as LayerNode);
    tensors.push(...layer.tensors.map((t) => ({ ...t, node: id })));
  }
  if (base.location !== undefined) target.bases.push({ model: base.model, location: base.location, span: statement.span, line: context.lineOf?.(statement.span.start), tensors });
  const end = target.nodes[ids.get(base.output)!]!;
  return { node: end.id, shape: end.outputShape, receptiveField: end.receptiveField, jump: end.jump };
}
