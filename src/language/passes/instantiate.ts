import type { BlockDecl, CallStatement, LayerStatement, ModelDecl, Sequence, Statement } from '../ast';
import { bindLayer } from './bind';
import { DiagnosticSink, didYouMean } from '../diagnostic-sink';
import { evaluate, evaluateNumber, type Environment, type StatementInput, type Value } from './expressions';
import type { Attrs, LayerNode, ModelGraph, ModelOutput, NodeOf, ParamCount, ScopeFrame, StateDictBase } from '../layer-graph';
import { LAYER_BY_OP, STRUCTURE_KEYWORDS } from './layer-catalogue';
import { formatShape, inferLayer } from './ops';
import type { Span } from '../text';
import { baseInputProblem, resolveBase, type ReadBaseModel } from './pretrained';
import { addCnnBase, type ReadStateDict } from './cnn-base';
import { bindParameters } from './parameters';
import { ShortcutNotes } from './shortcut-notes';
import { splitChannels } from './split';

/** Guards against models that would not fit in memory anyway (`repeat 100000`, runaway recursion). */
const MAX_NODES = 20_000;
const MAX_CALL_DEPTH = 32;

/** The flow between statements: the node the next layer reads, with its shape and receptive field. */
interface Cursor {
  node: number | null;
  shape: number[] | null;
  receptiveField: [number, number];
  jump: [number, number];
}

export interface Declarations {
  models: ReadonlyMap<string, ModelDecl>;
  blocks: ReadonlyMap<string, BlockDecl>;
  /** Reads a pretrained base's model.json; without one, `pretrained` lines are errors. */
  readBaseModel?: ReadBaseModel;
  /** Reads the state_dict of a base written as a `.cnn` model (`weights "…"`). */
  readStateDict?: ReadStateDict;
  /** Line numbers for messages that name a line elsewhere in the file. */
  lineOf?: (offset: number) => number;
  /** Set while a model is instantiated as another's base: the chain of bases, and the input it gets. */
  baseChain?: string[];
  baseInput?: number[];
}

class TooLarge extends Error {}

/**
 * Expands a model's blocks, repeats and conditions into a graph of layers, inferring each
 * layer's shape, parameters, multiply-adds and receptive field on the way. Errors are reported
 * and the walk goes on, so every mistake in a model is found in one pass.
 */
export function instantiateModel(decl: ModelDecl, declarations: Declarations, sink: DiagnosticSink): ModelGraph {
  return new Instantiator(decl, declarations, sink).run();
}

class Instantiator {
  private readonly nodes: LayerNode[] = [];
  private readonly outputs: ModelOutput[] = [];
  private readonly names = new Map<string, Span>();
  private readonly callStack: string[] = [];
  private instanceCounter = 0;
  private auxCounter = 0;
  /** What flows into the statement being walked: `in.c` reads it through every environment. */
  private readonly flow: StatementInput = { shape: null, flowing: false };
  private missingInputReported = false;
  private readonly shortcutNotes = new ShortcutNotes();
  private readonly stateDictBases: StateDictBase[] = [];

  constructor(private readonly decl: ModelDecl, private readonly declarations: Declarations, private readonly sink: DiagnosticSink) {}

  run(): ModelGraph {
    const graph = (): ModelGraph => ({ name: this.decl.name.name, nameSpan: this.decl.name.span, span: this.decl.span, nodes: this.nodes, outputs: this.outputs, ...(this.stateDictBases.length > 0 ? { stateDictBases: this.stateDictBases } : {}) });
    const target = this.resolveModelBody();
    if (!target) return graph();
    const start: Cursor = { node: null, shape: null, receptiveField: [1, 1], jump: [1, 1] };
    try {
      const end = this.sequence(target.body, start, target.env, []);
      if (end.node !== null) this.outputs.unshift({ node: end.node, name: 'main', lossWeight: 1 });
      else if (target.body.statements.length === 0) {
        this.sink.error('missing-input', this.decl.name.span, `model ${this.decl.name.name} has no layers`, `start it with an input line such as 'input 28x28x1'`);
      }
    } catch (error) {
      if (!(error instanceof TooLarge)) throw error;
      this.sink.error('too-large', this.decl.name.span, `model ${this.decl.name.name} expands to more than ${MAX_NODES.toLocaleString('en-US')} layers`, 'check repeat counts and recursive blocks');
    }
    this.shortcutNotes.report(this.sink);
    return graph();
  }

  /** A model's own body, or for `model B = A(args)` the body of A with those arguments. */
  private resolveModelBody(): { body: Sequence; env: Environment } | undefined {
    const call = this.decl.instanceOf;
    if (!call) return { body: this.decl.body!, env: bindParameters(this.decl.params, [], this.decl.name.span, `model ${this.decl.name.name}`, this.sink, this.flow) ?? Object.assign(new Map<string, Value>(), { input: this.flow }) };
    const base = this.declarations.models.get(call.callee.name);
    if (!base || base === this.decl || !base.body) {
      this.sink.error('unknown-model', call.callee.span, `unknown model '${call.callee.name}'`, didYouMean(call.callee.name, this.declarations.models.keys()));
      return undefined;
    }
    const env = bindParameters(base.params, call.args, call.argsSpan, `model ${base.name.name}`, this.sink, this.flow);
    return env && { body: base.body, env };
  }

  private sequence(sequence: Sequence, cursor: Cursor, env: Environment, scope: ScopeFrame[]): Cursor {
    let current = cursor;
    for (const statement of sequence.statements) current = this.statement(statement, current, env, scope);
    return current;
  }

  private statement(statement: Statement, cursor: Cursor, env: Environment, scope: ScopeFrame[]): Cursor {
    this.flow.shape = cursor.shape;
    this.flow.flowing = cursor.node !== null;
    switch (statement.kind) {
      case 'layer':
        return this.layer(statement, cursor, env, scope);
      case 'call':
        return this.call(statement, cursor, env, scope);
      case 'merge': {
        if (statement.op.name === 'split') return splitChannels(statement, cursor, this.splitSteps(env, scope));
        const ends = statement.branches.map((branch) => this.sequence(branch, cursor, env, scope));
        if (statement.branches.length === 0) {
          if (!statement.malformed) this.sink.error('empty-branch', statement.op.span, `${statement.op.name} has no branches`, `write ${statement.op.name} { { … } { … } }`);
          return cursor;
        }
        return this.merge(statement.op.name === 'add' ? 'add' : 'concat', ends, statement, scope, 'merge');
      }
      case 'residual': {
        const body = this.sequence(statement.body, cursor, env, scope);
        const shortcut = statement.shortcut ? this.sequence(statement.shortcut, cursor, env, scope) : this.autoShortcut(cursor, body, statement, scope, env);
        return this.merge('add', [body, shortcut], statement, scope, 'residual-add');
      }
      case 'repeat': {
        const count = evaluateNumber(statement.count, env, this.sink);
        if (count === undefined) return cursor;
        if (!Number.isInteger(count) || count < 0) {
          this.sink.error('bad-value', statement.count.span, `repeat needs a whole number of times, not ${count}`);
          return cursor;
        }
        let current = cursor;
        for (let i = 0; i < count; i++) current = this.sequence(statement.body, current, env, scope);
        return current;
      }
      case 'if': {
        const condition = evaluateNumber(statement.condition, env, this.sink);
        if (condition === undefined) return cursor;
        if (condition !== 0) return this.sequence(statement.then, cursor, env, scope);
        return statement.otherwise ? this.sequence(statement.otherwise, cursor, env, scope) : cursor;
      }
      case 'aux': {
        const weight = statement.weight ? evaluateNumber(statement.weight, env, this.sink) : 0.3;
        const end = this.sequence(statement.body, cursor, env, scope);
        if (end.node !== null && end.node !== cursor.node) {
          this.outputs.push({ node: end.node, name: statement.label?.name ?? `aux${++this.auxCounter}`, lossWeight: weight ?? 0.3 });
        }
        return cursor;
      }
    }
  }

  private layer(statement: LayerStatement, cursor: Cursor, env: Environment, scope: ScopeFrame[]): Cursor {
    const op = statement.op.name;
    const spec = LAYER_BY_OP.get(op);
    if (!spec) {
      const block = this.declarations.blocks.get(op);
      const hint = block ? `${op} is a block: call it with parentheses, ${op}(${block.params.map((p) => p.name.name).join(', ')})` : didYouMean(op, [...LAYER_BY_OP.keys(), ...Object.keys(STRUCTURE_KEYWORDS), ...this.declarations.blocks.keys()]);
      this.sink.error('unknown-layer', statement.op.span, `unknown layer '${op}'`, hint);
      return cursor;
    }
    if (op === 'input') {
      if (cursor.node !== null || scope.length > 0) {
        this.sink.error('misplaced-input', statement.span, 'input must be the first line of a model', 'move it to the top of the model');
        return cursor;
      }
    } else if (cursor.node === null) {
      // Once per model: every later layer lacks it for the same reason.
      if (!this.missingInputReported) this.sink.error('missing-input', statement.span, `${op} has no input: a model starts with an input line`, `add 'input 28x28x1' (height×width×channels) above it`);
      this.missingInputReported = true;
      return cursor;
    }
    const attrs = bindLayer(statement, spec, env, this.sink);
    if (!attrs) return op === 'pretrained' ? { ...cursor, shape: null } : cursor;
    if (op === 'pretrained') return this.pretrained(statement, attrs, cursor, scope);
    if (op === 'input') {
      const shape = scope.length === 0 && this.declarations.baseInput ? this.declarations.baseInput : attrs.shape as number[];
      return this.addNode({ op, attrs, inputs: [], span: statement.span, scope, label: statement.label?.name, labelSpan: statement.label?.span }, shape, { trainable: 0, nonTrainable: 0 }, 0, { receptiveField: [1, 1], jump: [1, 1] });
    }
    const base = { op, attrs, inputs: [cursor.node!], span: statement.span, scope, label: statement.label?.name, labelSpan: statement.label?.span };
    if (cursor.shape === null) {
      // After an earlier error only a dense layer still knows its output.
      return this.addNode(base, op === 'dense' ? [attrs.units as number] : null, { trainable: 0, nonTrainable: 0 }, 0, cursor);
    }
    const outcome = inferLayer(op, attrs, cursor.shape, statement.label?.name ?? op);
    if (!outcome.ok) {
      this.report(outcome.code, statement.span, outcome.message, outcome.hint, scope);
      return this.addNode(base, outcome.recovered ?? null, { trainable: 0, nonTrainable: 0 }, 0, cursor);
    }
    const field = outcome.shape.length === 3 ? this.advanceField(cursor, outcome.window) : this.wholeInput(cursor);
    return this.addNode(base, outcome.shape, outcome.params, outcome.macs, field);
  }

  /** A pretrained base: its kept layers, as nodes under one scope frame, with their weights' origin. */
  private pretrained(statement: LayerStatement, attrs: Attrs, cursor: Cursor, scope: ScopeFrame[]): Cursor {
    const unknown = { ...cursor, shape: null };
    if (statement.args[0]?.kind === 'name') {
      if (cursor.shape === null) return unknown;
      const frame: ScopeFrame = { block: 'pretrained', label: statement.label?.name ?? String(attrs.source), callSpan: statement.span, instance: ++this.instanceCounter };
      const instantiate = (decl: ModelDecl, chain: string[], input: number[] | undefined, sink: DiagnosticSink) => instantiateModel(decl, { ...this.declarations, baseChain: chain, baseInput: input }, sink);
      const context = { ...this.declarations, chain: [...(this.declarations.baseChain ?? []), this.decl.name.name], instantiate };
      const end = addCnnBase(statement, attrs, cursor, { nodes: this.nodes, scope: [...scope, frame], sink: this.sink, bases: this.stateDictBases, maxNodes: MAX_NODES }, context);
      if (end === 'too-large') throw new TooLarge();
      return end ?? unknown;
    }
    const base = resolveBase(statement, attrs, this.declarations.readBaseModel);
    if (!base.ok) {
      this.sink.error(base.code, base.span, base.message, base.hint);
      return unknown;
    }
    if (cursor.shape === null) return unknown;
    const misfit = baseInputProblem(base, cursor.shape);
    if (misfit) {
      this.sink.error('shape-mismatch', statement.span, misfit.message, misfit.hint);
      return unknown;
    }
    const { plan, name, location } = base;
    const frame: ScopeFrame = { block: 'pretrained', label: statement.label?.name ?? name, callSpan: statement.span, instance: ++this.instanceCounter };
    const inner = [...scope, frame];
    const flows = new Map<string, Cursor>([[plan.inputName, cursor]]);
    for (const layer of plan.layers) {
      const ins = layer.inputs.map((name) => flows.get(name)!);
      // A base from scratch keeps only the architecture: its layers are ordinary ones.
      const origin: Attrs = attrs.scratch === true ? {} : { baseSource: location, baseLayer: layer.kerasName };
      const nodeAttrs: Attrs = { ...layer.attrs, ...origin, ...(layer.frozen ? { frozen: true } : {}) };
      const base = { op: layer.op, attrs: nodeAttrs, span: statement.span, scope: inner, label: layer.kerasName };
      if (layer.op === 'add' || layer.op === 'concat') {
        flows.set(layer.kerasName, this.merge(layer.op, ins, statement, inner, 'merge', base));
        continue;
      }
      const input = ins[0]!;
      if (input.shape === null) {
        flows.set(layer.kerasName, this.addNode({ ...base, inputs: [input.node!] }, null, { trainable: 0, nonTrainable: 0 }, 0, input));
        continue;
      }
      const outcome = inferLayer(layer.op, nodeAttrs, input.shape, `${frame.label}/${layer.kerasName}`);
      if (!outcome.ok) {
        this.report(outcome.code, statement.span, outcome.message, outcome.hint, scope);
        flows.set(layer.kerasName, this.addNode({ ...base, inputs: [input.node!] }, null, { trainable: 0, nonTrainable: 0 }, 0, input));
        continue;
      }
      const params = layer.frozen ? { trainable: 0, nonTrainable: outcome.params.trainable + outcome.params.nonTrainable } : outcome.params;
      const field = outcome.shape.length === 3 ? this.advanceField(input, outcome.window) : this.wholeInput(input);
      flows.set(layer.kerasName, this.addNode({ ...base, inputs: [input.node!] }, outcome.shape, params, outcome.macs, field));
    }
    return flows.get(plan.output)!;
  }

  private call(statement: CallStatement, cursor: Cursor, env: Environment, scope: ScopeFrame[]): Cursor {
    const name = statement.callee.name;
    const block = this.declarations.blocks.get(name);
    if (!block) {
      const hint = LAYER_BY_OP.has(name) ? `${name} is a layer: write it without parentheses, as '${name} …'` : didYouMean(name, this.declarations.blocks.keys());
      this.sink.error('unknown-block', statement.callee.span, `unknown block '${name}'`, hint);
      return cursor;
    }
    if (this.callStack.includes(name) || this.callStack.length >= MAX_CALL_DEPTH) {
      this.sink.error('recursive-block', statement.callee.span, `block ${name} calls itself${this.callStack.length >= MAX_CALL_DEPTH ? ` (more than ${MAX_CALL_DEPTH} calls deep)` : ''}`, `call chain: ${[...this.callStack, name].join(' → ')}`);
      return cursor;
    }
    const values = statement.args.map((arg) => ({ arg, value: evaluate(arg.value, env, this.sink) }));
    const blockEnv = bindParameters(block.params, statement.args, statement.argsSpan, `block ${name}`, this.sink, this.flow, values.map((v) => v.value));
    if (!blockEnv) return cursor;
    this.callStack.push(name);
    this.sink.enterCall({ message: `in this call of ${name}`, span: statement.span, block: name });
    try {
      const frame: ScopeFrame = { block: name, label: statement.label?.name, callSpan: statement.span, instance: ++this.instanceCounter };
      return this.sequence(block.body, cursor, blockEnv, [...scope, frame]);
    } finally {
      this.sink.leaveCall();
      this.callStack.pop();
    }
  }

  /** Identity where shapes agree, else a 1×1 convolution with the needed stride plus batchnorm. */
  private autoShortcut(input: Cursor, body: Cursor, statement: Statement & { kind: 'residual' }, scope: ScopeFrame[], env: Environment): Cursor {
    if (input.node === null || input.shape === null || body.shape === null) return input;
    if (formatShape(input.shape) === formatShape(body.shape)) {
      this.shortcutNotes.identity(statement);
      return input;
    }
    if (input.shape.length !== 3 || body.shape.length !== 3) {
      this.report('shape-mismatch', statement.keyword.span, `residual: the body turns ${formatShape(input.shape)} into ${formatShape(body.shape)}, which no 1×1 projection can match`, 'write the shortcut yourself: shortcut { … }', scope);
      return { ...input, shape: null };
    }
    const strides = [0, 1].map((axis) => Math.round(input.shape![axis]! / body.shape![axis]!));
    const [sh, sw] = strides as [number, number];
    if (sh < 1 || sw < 1 || Math.ceil(input.shape[0]! / sh) !== body.shape[0] || Math.ceil(input.shape[1]! / sw) !== body.shape[1]) {
      this.report('shortcut-stride', statement.keyword.span, `residual: no stride takes the ${formatShape(input.shape)} input to the body's ${formatShape(body.shape)} output`, 'make the body keep or halve the size, or write shortcut { … }', scope);
      return { ...input, shape: null };
    }
    const filters = body.shape[2]!;
    const lastNorm = this.nodes.slice().reverse().find((n): n is NodeOf<'batchnorm'> => n.op === 'batchnorm' && n.id > input.node!);
    const convAttrs: Attrs = { filters, kernel: [1, 1], stride: [sh, sw], dilation: [1, 1], groups: 1, padding: 'valid', bias: false, activation: 'linear' };
    const frame = { span: statement.keyword.span, scope, synthetic: 'shortcut' as const };
    const conv = inferLayer('conv', convAttrs, input.shape);
    if (!conv.ok) return { ...input, shape: null };
    const projected = this.addNode({ op: 'conv', attrs: convAttrs, inputs: [input.node], ...frame }, conv.shape, conv.params, conv.macs, this.advanceField(input, conv.window));
    const normAttrs: Attrs = { eps: lastNorm?.attrs.eps ?? 0.001, momentum: lastNorm?.attrs.momentum ?? 0.99, activation: 'linear' };
    const norm = inferLayer('batchnorm', normAttrs, conv.shape);
    this.shortcutNotes.projection(statement, { input: input.shape, output: body.shape, filters, stride: [sh, sw], eps: normAttrs.eps as number, momentum: normAttrs.momentum as number, params: conv.params.trainable + (norm.ok ? norm.params.trainable : 0), env });
    return norm.ok ? this.addNode({ op: 'batchnorm', attrs: normAttrs, inputs: [projected.node!], ...frame }, norm.shape, norm.params, 0, projected) : projected;
  }

  private merge(
    op: 'concat' | 'add', ends: Cursor[], statement: Statement, scope: ScopeFrame[], synthetic: 'merge' | 'residual-add',
    /** A pretrained base's merge: its own name and attributes. */
    named?: { label: string; attrs: Attrs },
  ): Cursor {
    const label = named ? { name: named.label, span: statement.span } : statement.label;
    const anchor = statement.kind === 'merge' ? statement.op.span : statement.kind === 'residual' ? statement.keyword.span : statement.span;
    const inputs = ends.map((e) => e.node).filter((n): n is number => n !== null);
    if (inputs.length === 0) return ends[0]!;
    const field = {
      receptiveField: [Math.max(...ends.map((e) => e.receptiveField[0])), Math.max(...ends.map((e) => e.receptiveField[1]))] as [number, number],
      jump: ends[0]!.jump,
    };
    const base = { op, attrs: named?.attrs ?? {}, inputs, span: statement.span, scope, synthetic: named ? undefined : synthetic, label: label?.name, labelSpan: label?.span };
    const shapes = ends.map((e) => e.shape);
    if (shapes.some((s) => s === null)) return this.addNode(base, null, { trainable: 0, nonTrainable: 0 }, 0, field);
    const known = shapes as number[][];
    const list = known.map(formatShape).join(', ');
    const what = synthetic === 'residual-add' ? 'residual' : op;
    let shape: number[] | null;
    if (op === 'add') {
      const same = known.every((s) => formatShape(s) === formatShape(known[0]!));
      // Carry on with the first branch's shape so that later lines are still checked.
      shape = known[0]!;
      if (!same) this.report('shape-mismatch', anchor, `${what}: cannot add outputs of different shapes: ${list}`, synthetic === 'residual-add' ? 'write the shortcut yourself: shortcut { … }' : 'make every branch end with the same shape', scope);
    } else {
      const spatial = known.every((s) => s.length === 3 && s[0] === known[0]![0] && s[1] === known[0]![1]);
      const allSpatial = known.every((s) => s.length === 3);
      shape = allSpatial ? [known[0]![0]!, known[0]![1]!, known.reduce((sum, s) => sum + s[2]!, 0)] : null;
      if (!spatial) this.report('shape-mismatch', anchor, `${statement.kind === 'merge' ? statement.op.name : 'concat'}: branches must agree in height and width to join their channels, but give ${list}`, 'use same padding, or the same stride, in every branch', scope);
    }
    return this.addNode(base, shape, { trainable: 0, nonTrainable: 0 }, 0, field);
  }

  private addNode(
    base: { op: string; attrs: Attrs; inputs: number[]; span: Span; scope: ScopeFrame[]; synthetic?: LayerNode['synthetic']; label?: string; labelSpan?: Span },
    shape: number[] | null, params: ParamCount, macs: number, field: Pick<Cursor, 'receptiveField' | 'jump'>,
  ): Cursor {
    if (this.nodes.length >= MAX_NODES) throw new TooLarge();
    const id = this.nodes.length;
    const name = base.label === undefined ? undefined : this.qualifiedName(base.label, base.scope, base.labelSpan ?? base.span);
    // Where bound attributes become a typed node: the binder read them by the op's row of the
    // layer catalogue, whose parameters and flags layer-attrs.ts types.
    this.nodes.push({
      id, op: base.op, name, attrs: base.attrs, inputs: base.inputs, span: base.span, scope: base.scope,
      synthetic: base.synthetic, outputShape: shape, params, macs,
      receptiveField: field.receptiveField, jump: field.jump,
    } as LayerNode);
    return { node: id, shape, receptiveField: field.receptiveField, jump: field.jump };
  }

  /** Labels inside blocks are qualified by the call (`inception3a/b1`) so every name is unique. */
  private qualifiedName(label: string, scope: ScopeFrame[], span: Span): string {
    const prefix = scope.map((frame) => frame.label ?? `${frame.block}${frame.instance}`);
    const name = [...prefix, label].join('/');
    if (scope.length === 0 && this.names.has(name)) {
      this.sink.error('duplicate-layer-name', span, `another layer in model ${this.decl.name.name} is already called ${name}`, 'layer names must be unique within a model');
    }
    this.names.set(name, span);
    return name;
  }

  private advanceField(cursor: Cursor, window?: { kernel: [number, number]; stride: [number, number] }): Pick<Cursor, 'receptiveField' | 'jump'> {
    if (!window) return cursor;
    return {
      receptiveField: [cursor.receptiveField[0] + (window.kernel[0] - 1) * cursor.jump[0], cursor.receptiveField[1] + (window.kernel[1] - 1) * cursor.jump[1]],
      jump: [cursor.jump[0] * window.stride[0], cursor.jump[1] * window.stride[1]],
    };
  }

  /** Flatten, dense and global pooling see the whole input. */
  private wholeInput(cursor: Cursor): Pick<Cursor, 'receptiveField' | 'jump'> {
    const input = this.nodes[0]?.outputShape;
    if (input && input.length === 3) return { receptiveField: [input[0]!, input[1]!], jump: cursor.jump };
    return cursor;
  }

  /** A shape problem; inside a block the sink adds the calls that led to it. */
  private report(code: Parameters<DiagnosticSink['error']>[0], span: Span, message: string, hint: string | undefined, _scope: ScopeFrame[]): void {
    this.sink.add({ severity: 'error', code, message, hint, span });
  }

  /** What `split` needs of the walk: running a branch, and adding its slice and join nodes. */
  private splitSteps(env: Environment, scope: ScopeFrame[]) {
    return {
      branch: (branch: Sequence, start: Cursor) => this.sequence(branch, start, env, scope),
      slice: (base: { attrs: Attrs; span: Span }, from: Cursor, shape: number[] | null) =>
        this.addNode({ op: 'slice', attrs: base.attrs, inputs: [from.node!], span: base.span, scope, synthetic: 'merge' }, shape, { trainable: 0, nonTrainable: 0 }, 0, from),
      join: (ends: Cursor[], statement: Statement) => this.merge('concat', ends, statement, scope, 'merge'),
      report: (code: Parameters<DiagnosticSink['error']>[0], span: Span, message: string, hint?: string) => this.report(code, span, message, hint, scope),
    };
  }
}
