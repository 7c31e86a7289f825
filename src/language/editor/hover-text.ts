import type { Analysis } from '../passes/analyze';
import type { Expr, ModelDecl, Statement, TrainDecl } from '../ast';
import { usage } from '../passes/bind';
import { totals, type LayerNode } from '../layer-graph';
import {
  agreedShape, baseOf, formatCount, hasFilters, instanceParams, ownInstances, scopePath, siteAt,
  type StatementInstance, type StatementSite,
} from './instances';
import { ACTIVATIONS, LAYER_BY_OP, STRUCTURE_KEYWORDS, type WordsSpec } from '../passes/layer-catalogue';
import { formatShape } from '../passes/ops';
import { layerNames, layerType } from '../passes/summarize';
import { docComment, innerSequences, parameterText, signature, symbolAt } from './symbols';
import type { Span } from '../text';
import { trainingStages } from '../passes/stages';
import { SETTING_BY_KEY } from '../passes/train-spec';
import { denseEquivalentParams } from '../passes/dense-equivalent';

/** Markdown for the thing under the cursor, and the span it describes. */
export interface HoverInfo {
  markdown: string;
  span: Span;
}

/** How many instances a hover lists before it only counts the rest. */
const LISTED_INSTANCES = 8;

/**
 * What a reader wants to know about the word under the cursor: a layer's shapes and costs (and
 * what a dense layer would cost instead), a block's or model's signature and doc comment, a
 * setting's, option's or activation's documentation.
 */
export function hoverAt(analysis: Analysis, offset: number, sites: readonly StatementSite[]): HoverInfo | undefined {
  const decl = analysis.document.declarations.find((d) => d.span.start <= offset && offset <= d.span.end);
  if (!decl) return undefined;
  const symbol = symbolAt(analysis, offset);
  if (symbol?.kind === 'model') return modelHover(analysis, symbol.name, symbol.span);
  if (symbol?.kind === 'block') return blockHover(analysis, symbol.name, symbol.span, siteAt(sites, offset, 'call'));
  if (decl.kind === 'train') return settingHover(analysis, decl, offset);
  const statement = innermostStatement(decl.kind === 'model' ? decl.body?.statements ?? [] : decl.body.statements, offset);
  if (!statement) return undefined;
  const value = valueNameAt(statement, offset);
  const param = value && decl.params.find((p) => p.name.name === value.name);
  if (value && param) return { markdown: `\`${parameterText(analysis, param)}\`: a parameter of ${decl.kind} ${decl.name.name}`, span: value.span };
  switch (statement.kind) {
    case 'layer': {
      const spec = LAYER_BY_OP.get(statement.op.name);
      const word = value && spec ? wordHover(spec, value.name) : undefined;
      if (word) return { markdown: word, span: value!.span };
      const unknown = decl.kind === 'block' ? `made only where a model calls ${decl.name.name}` : 'output unknown (see the problems on this line)';
      return { markdown: layerMarkdown(statement.op.name, siteOf(sites, statement), unknown), span: statement.span };
    }
    case 'call':
      return blockHover(analysis, statement.callee.name, statement.span, siteAt(sites, offset, 'call'));
    default: {
      const keyword = statement.kind === 'merge' ? statement.op : statement.keyword;
      const onKeyword = keyword.span.start <= offset && offset <= keyword.span.end;
      const onLabel = statement.label !== undefined && statement.label.span.start <= offset && offset <= statement.label.span.end;
      if (!onKeyword && !onLabel) return undefined;
      const site = siteOf(sites, statement);
      const shape = site ? agreedShape(ownInstances(site)) : undefined;
      const heading = `**${keyword.name}**${shape ? ` → **${shape}**` : ''}`;
      return { markdown: `${heading}\n\n${STRUCTURE_KEYWORDS[keyword.name] ?? ''}`, span: keyword.span };
    }
  }
}

/** The layers a statement made, where it is a layer line, a merge or a residual. */
function siteOf(sites: readonly StatementSite[], statement: Statement): StatementSite | undefined {
  return sites.find((s) => s.kind === 'layer' && s.span.start === statement.span.start && s.span.end === statement.span.end);
}

function layerMarkdown(op: string, site: StatementSite | undefined, whyNoLayers: string): string {
  const spec = LAYER_BY_OP.get(op);
  const title = spec ? ` · ${spec.title}` : '';
  const doc = spec ? `\n\n${spec.doc}` : '';
  const instances = site ? ownInstances(site) : [];
  if (instances.length === 0) return `**${op}**${title} · ${whyNoLayers}${doc}`;
  const base = op === 'pretrained' ? baseSummary(instances) : undefined;
  if (base) return `${base}${doc}`;
  const others = site ? otherModels(site, instances) : '';
  if (instances.length === 1) return `${describeOne(instances[0]!)}${others}${doc}`;
  const multipleModels = new Set(instances.map((i) => i.model)).size > 1;
  const lines = instances.slice(0, LISTED_INSTANCES).map((instance) => {
    const where = [multipleModels ? instance.model.name : '', scopePath(instance.scope)].filter((part) => part !== '').join(' › ');
    return `- ${where || layerNames(instance.model)[instance.output.id]}: ${shapeAndParams(instance)}`;
  });
  if (instances.length > LISTED_INSTANCES) lines.push(`- … and ${instances.length - LISTED_INSTANCES} more`);
  return `**${op}**${title} · this line makes ${instances.length} layers:\n\n${lines.join('\n')}${others}${doc}`;
}

/** A pretrained base as a whole: where from, shapes in and out, and what of it trains. */
function baseSummary(instances: StatementInstance[]): string | undefined {
  const base = baseOf(instances);
  if (!base) return undefined;
  const { nodes, output, trainable, nonTrainable } = base;
  const input = inputShape(instances[0]!.model.nodes, nodes[0]!);
  const macs = nodes.reduce((sum, node) => sum + node.macs, 0);
  const frozenLayers = nodes.filter((n) => n.attrs.frozen === true).length;
  return [
    `**${scopePath(instances[0]!.scope) || 'pretrained'}** · pretrained base of ${nodes.length} layers · ${input ? `${formatShape(input)} → ` : ''}**${formatShape(output.outputShape)}**`,
    '',
    [
      `From: ${output.attrs.baseModel === undefined ? '' : `model ${output.attrs.baseModel} with the state_dict `}\`${String(output.attrs.baseSource ?? 'the base\'s architecture, fresh weights')}\`, up to \`${String(output.attrs.baseLayer ?? output.name ?? '')}\``,
      `Parameters: ${formatCount(trainable + nonTrainable)} (${formatCount(trainable)} trainable, ${formatCount(nonTrainable)} non-trainable)`,
      `Frozen layers: ${frozenLayers} of ${nodes.length}`,
      `Multiply-adds: ${formatCount(macs)}`,
    ].join('  \n'),
  ].join('\n');
}

/** One layer in full: shapes, parameters, multiply-adds, receptive field and the dense comparison. */
function describeOne(instance: StatementInstance): string {
  const node = instance.output;
  const name = layerNames(instance.model)[node.id]!;
  const input = inputShape(instance.model.nodes, node);
  const shapes = input ? `${formatShape(input)} → **${formatShape(node.outputShape)}**` : `**${formatShape(node.outputShape)}**`;
  const heading = `**${name}** · ${layerType(node)} · ${shapes}`;
  if (node.op === 'input') return heading;
  const { trainable, nonTrainable, total } = instanceParams(instance);
  const split = total === 0 ? 'none' : nonTrainable === 0 ? `${formatCount(total)} (all trainable)` : `${formatCount(total)} (${formatCount(trainable)} trainable, ${formatCount(nonTrainable)} non-trainable)`;
  const facts = [
    `Parameters: ${split}`,
    `Multiply-adds: ${formatCount(node.macs)}`,
    `Receptive field: ${node.receptiveField[0]}×${node.receptiveField[1]}`,
  ].join('  \n');
  const lesson = hasFilters(node.op) && input && node.outputShape ? `\n\n${denseComparison(input, node.outputShape, total)}` : '';
  return `${heading}\n\n${facts}${lesson}`;
}

/**
 * The CNN-versus-MLP lesson: a dense layer joining the same input and output has a weight per
 * input-output pair plus a bias per output, where a convolution shares one small kernel.
 */
export function denseComparison(input: readonly number[], output: readonly number[], convolutionParams: number): string {
  const dense = denseEquivalentParams(input, output);
  const ratio = convolutionParams > 0 ? dense / convolutionParams : 0;
  const times = ratio >= 10 ? formatCount(ratio) : ratio.toFixed(1);
  const more = convolutionParams > 0 ? `: ${times}× more` : '';
  return `A dense layer from ${formatShape(input)} to ${formatShape(output)} would need ${formatCount(dense)} parameters${more}.`;
}

function inputShape(nodes: readonly LayerNode[], node: LayerNode): number[] | null {
  const first = node.inputs[0];
  return first === undefined ? null : nodes[first]?.outputShape ?? null;
}

function shapeAndParams(instance: StatementInstance): string {
  const params = instanceParams(instance).total;
  return `${formatShape(instance.output.outputShape)}${params > 0 ? ` · ${formatCount(params)} params` : ''}`;
}

/** Where another model instantiates the same line (`model B = A(…)`): its shape there. */
function otherModels(site: StatementSite, own: readonly StatementInstance[]): string {
  const seen = new Set(own.map((i) => i.model));
  const lines: string[] = [];
  for (const instance of site.instances) {
    if (seen.has(instance.model)) continue;
    seen.add(instance.model);
    lines.push(`In ${instance.model.name}: ${shapeAndParams(instance)}`);
  }
  return lines.length > 0 ? `\n\n${lines.join('  \n')}` : '';
}

function blockHover(analysis: Analysis, name: string, span: Span, call: StatementSite | undefined): HoverInfo {
  const block = analysis.blocks.get(name);
  if (!block) return { markdown: `Unknown block \`${name}\``, span };
  const parts = [codeBlock(`block ${signature(analysis, block).label}`)];
  const doc = docComment(analysis, block);
  if (doc) parts.push(doc);
  if (call && call.span.start <= span.start && span.end <= call.span.end) {
    const instances = ownInstances(call);
    const lines = instances.slice(0, LISTED_INSTANCES).map((instance) => {
      const path = scopePath(instance.scope);
      return `- ${instances.length > 1 && new Set(instances.map((i) => i.model)).size > 1 ? `${instance.model.name} › ` : ''}${path}: → ${shapeAndParams(instance)}`;
    });
    if (instances.length > LISTED_INSTANCES) lines.push(`- … and ${instances.length - LISTED_INSTANCES} more`);
    if (lines.length > 0) parts.push(lines.join('\n'));
  }
  return { markdown: parts.join('\n\n'), span };
}

function modelHover(analysis: Analysis, name: string, span: Span): HoverInfo {
  const decl = analysis.modelDecls.get(name);
  if (!decl) return { markdown: `Unknown model \`${name}\``, span };
  const parts = [codeBlock(modelHeader(analysis, decl))];
  const doc = docComment(analysis, decl);
  if (doc) parts.push(doc);
  const graph = analysis.models.find((m) => m.name === name);
  if (graph && graph.nodes.length > 0) {
    const sum = totals(graph);
    const params = sum.params.nonTrainable === 0 ? `${formatCount(sum.params.total)} parameters` : `${formatCount(sum.params.total)} parameters (${formatCount(sum.params.trainable)} trainable, ${formatCount(sum.params.nonTrainable)} non-trainable)`;
    const main = graph.outputs.find((o) => o.name === 'main');
    const output = main === undefined ? '?' : formatShape(graph.nodes[main.node]?.outputShape ?? null);
    parts.push([params, `${formatCount(sum.macs)} multiply-adds`, `${formatShape(graph.nodes[0]!.outputShape)} → ${output}`, `${graph.nodes.length} layers`].join(' · '));
  }
  return { markdown: parts.join('\n\n'), span };
}

function modelHeader(analysis: Analysis, decl: ModelDecl): string {
  if (decl.instanceOf) return `model ${decl.name.name} = ${analysis.text.slice(decl.instanceOf.span.start, decl.instanceOf.span.end)}`;
  return `model ${decl.params.length > 0 ? signature(analysis, decl).label : decl.name.name}`;
}

function settingHover(analysis: Analysis, decl: TrainDecl, offset: number): HoverInfo | undefined {
  const setting = decl.settings.find((s) => s.span.start <= offset && offset <= s.span.end);
  const spec = setting && SETTING_BY_KEY.get(setting.key.name);
  if (!setting || !spec) return undefined;
  const arg = setting.args.find((a) => a.kind === 'name' && a.span.start <= offset && offset <= a.span.end);
  const word = arg?.kind === 'name' ? wordHover(spec, arg.name) : undefined;
  if (arg && word) return { markdown: word, span: arg.span };
  const stages = setting.key.name === 'finetune' ? stageCounts(analysis, decl) : '';
  return { markdown: `${codeBlock(usage(spec))}\n\n${spec.doc}${stages}`, span: setting.key.span };
}

/** What trains in each stage of a train section's model, as a list. */
function stageCounts(analysis: Analysis, decl: TrainDecl): string {
  const spec = analysis.trains.find((t) => t.span.start === decl.span.start);
  const graph = spec && analysis.models.find((m) => m.name === spec.model);
  if (!spec || !graph) return '';
  const lines = trainingStages(graph, spec).map((stage, i) =>
    `- Stage ${i + 1}, ${stage.name} (${stage.epochs} epochs, lr ${stage.learningRate}): ${formatCount(stage.params.trainable)} trainable, ${formatCount(stage.params.nonTrainable)} non-trainable`);
  return `\n\n${lines.join('\n')}`;
}

/** An option, flag or activation word of a layer or setting line. */
function wordHover(spec: WordsSpec, word: string): string | undefined {
  const param = spec.params.find((p) => p.name === word);
  if (param) {
    const fallback = param.default === undefined ? '' : `, default ${Array.isArray(param.default) ? param.default.join('×') : param.default}`;
    return `\`${word}\` (${spec.op} option, ${param.type}${fallback}): ${param.doc}`;
  }
  const flag = spec.flags.find((f) => f.name === word);
  if (flag) return `\`${word}\` (${spec.op} flag): ${flag.doc}`;
  if (spec.takesActivation && Object.hasOwn(ACTIVATIONS, word)) return `\`${word}\` (activation): ${ACTIVATIONS[word]}`;
  return undefined;
}

function codeBlock(code: string): string {
  return `\`\`\`cnn\n${code}\n\`\`\``;
}

function innermostStatement(statements: readonly Statement[], offset: number): Statement | undefined {
  for (const statement of statements) {
    if (offset < statement.span.start || offset > statement.span.end) continue;
    for (const inner of innerSequences(statement)) {
      const found = innermostStatement(inner.statements, offset);
      if (found) return found;
    }
    return statement;
  }
  return undefined;
}

/** A name written under the offset among a statement's values: an option, a flag or a parameter. */
function valueNameAt(statement: Statement, offset: number): { name: string; span: Span } | undefined {
  if (statement.kind === 'layer') {
    for (const arg of statement.args) {
      const found = nameInExpr(arg, offset);
      if (found) return found;
    }
  }
  if (statement.kind === 'call') for (const arg of statement.args) {
    const found = nameInExpr(arg.value, offset);
    if (found) return found;
  }
  if (statement.kind === 'repeat') return nameInExpr(statement.count, offset);
  if (statement.kind === 'if') return nameInExpr(statement.condition, offset);
  return undefined;
}

function nameInExpr(expr: Expr, offset: number): { name: string; span: Span } | undefined {
  if (offset < expr.span.start || offset > expr.span.end) return undefined;
  switch (expr.kind) {
    case 'name': return { name: expr.name, span: expr.span };
    case 'unary': return nameInExpr(expr.operand, offset);
    case 'binary': return nameInExpr(expr.left, offset) ?? nameInExpr(expr.right, offset);
    case 'size': return expr.parts.map((p) => nameInExpr(p, offset)).find((found) => found !== undefined);
    default: return undefined;
  }
}
