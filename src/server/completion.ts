import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type Position } from 'vscode-languageserver/node';
import type { Analysis } from '../language/passes/analyze';
import type { Declaration } from '../language/ast';
import { usage } from '../language/passes/bind';
import { ACTIVATIONS, LAYER_BY_OP, LAYERS, STRUCTURE_KEYWORDS, type ParameterSpec, type WordsSpec } from '../language/passes/layer-catalogue';
import { topologyOf, type ReadBaseModel } from '../language/passes/pretrained';
import type { KerasLayer } from '../language/passes/keras-model';
import { completionContext } from '../language/editor/query';
import { docComment, parameterText, signature } from '../language/editor/symbols';
import { SETTING_BY_KEY, SETTINGS } from '../language/passes/train-spec';
import type { AnalyzedDocument } from './documents';

/** The datasets `data` knows by name; a hyphenated name must be quoted to stay one word. */
const DATASETS = [
  { label: 'mnist', insert: 'mnist', doc: '70,000 handwritten digits, 28×28 gray, 10 classes.' },
  { label: 'fashion-mnist', insert: 'fashion-mnist', doc: '70,000 photos of clothes, 28×28 gray, 10 classes.' },
  { label: 'cifar10', insert: 'cifar10', doc: '60,000 photos, 32×32 colour, 10 classes.' },
];

const STRUCTURE_SNIPPETS: Record<string, string> = {
  concat: 'concat {\n\t{ $1 }\n\t{ $2 }\n}',
  add: 'add {\n\t{ $1 }\n\t{ $2 }\n}',
  split: 'split {\n\t{ $1 }\n\t{ $2 }\n}',
  residual: 'residual {\n\t$0\n}',
  repeat: 'repeat ${1:2} {\n\t$0\n}',
  if: 'if ${1:condition} {\n\t$0\n}',
  aux: 'aux weight ${1:0.3} {\n\t$0\n}',
};

/** What may be written at the cursor, from the analyzer's reading of the statement being typed. */
export function completions(document: AnalyzedDocument, position: Position, snippets: boolean, readBaseModel?: ReadBaseModel): CompletionItem[] {
  const { analysis } = document;
  const offset = document.offsetAt(position);
  const context = completionContext(analysis, offset);
  const decl = analysis.document.declarations.find((d) => d.span.start < offset && offset <= d.span.end);
  // `in.` asks for a field of the shape flowing into the line.
  if (/(?:^|[^A-Za-z0-9_])in\.[A-Za-z_]*$/.test(analysis.text.slice(Math.max(0, offset - 40), offset))) return inputFieldItems();
  const items = ((): CompletionItem[] => {
    switch (context.kind) {
      case 'declaration': return declarationItems(analysis);
      case 'statement': return statementItems(analysis, context.inBlock, decl);
      case 'layer-option': {
        const spec = LAYER_BY_OP.get(context.op);
        const pending = context.written[context.written.length - 1];
        if (context.op === 'pretrained' && (pending === 'until' || pending === 'freeze')) return baseLayerItems(analysis.text, offset, readBaseModel);
        return spec ? wordItems(spec, context.written) : [];
      }
      case 'call-argument': return argumentItems(analysis, context.block, decl);
      case 'setting': return settingItems(decl, offset);
      case 'setting-value': {
        const spec = SETTING_BY_KEY.get(context.key);
        return spec ? wordItems(spec, context.written) : [];
      }
      case 'train-model': return [...analysis.modelDecls.values()].map((model) => ({ label: model.name.name, kind: CompletionItemKind.Class, detail: 'model' }));
      case 'none': return [];
    }
  })();
  return items.map((item, i) => withSortOrder(snippets ? item : withoutSnippet(item), i));
}

function inputFieldItems(): CompletionItem[] {
  return [['h', 'height'], ['w', 'width'], ['c', 'channels (a vector\'s length)']].map(([field, doc], i) => ({
    label: field!, kind: CompletionItemKind.Field, detail: `in.${field}: ${doc}`, sortText: String(i),
    documentation: { kind: MarkupKind.Markdown, value: `The ${doc} of the shape flowing into this line, as a paper writes C_in: \`conv in.c * 6 1x1\`.` },
  }));
}

function declarationItems(analysis: Analysis): CompletionItem[] {
  const models = [...analysis.modelDecls.keys()];
  const model = models.length > 0 ? `\${1|${models.join(',')}|}` : '${1:Model}';
  return [
    snippet('model', 'model ${1:Name} {\n\tinput ${2:28x28x1}\n\t$0\n}', 'A model: an input line, then one layer a line.'),
    snippet('block', 'block ${1:name}(${2:filters}) {\n\t$0\n}', 'A block: layers with parameters, called from models as name(…).'),
    snippet('train', `train ${model} {\n\tdata \${2|mnist,fashion-mnist,cifar10|}\n\tepochs \${3:5}\n\tbatch \${4:64}\n\toptimizer \${5|adam,sgd,rmsprop|} lr \${6:0.001}\n}`, 'How to train a model: dataset, epochs, batch size, optimizer.'),
  ].map((item) => ({ ...item, kind: CompletionItemKind.Keyword }));
}

function statementItems(analysis: Analysis, inBlock: boolean, decl: Declaration | undefined): CompletionItem[] {
  const layers = LAYERS.filter((spec) => !(inBlock && spec.op === 'input')).map((spec): CompletionItem => {
    const required = spec.params.filter((p) => p.positional && p.required);
    const insert = [spec.op, ...required.map((p, i) => `\${${i + 1}:${p.name}}`)].join(' ');
    return {
      label: spec.op,
      kind: CompletionItemKind.Class,
      labelDetails: { description: spec.title },
      documentation: markdown(`\`\`\`cnn\n${usage(spec)}\n\`\`\`\n\n${spec.doc}`),
      ...(required.length > 0 ? { insertText: insert, insertTextFormat: InsertTextFormat.Snippet } : {}),
    };
  });
  const structures = Object.entries(STRUCTURE_KEYWORDS).map(([keyword, doc]) => ({ ...snippet(keyword, STRUCTURE_SNIPPETS[keyword] ?? keyword, doc), kind: CompletionItemKind.Keyword }));
  const blocks = [...analysis.blocks.values()].filter((block) => block !== decl).map((block): CompletionItem => {
    const required = block.params.filter((p) => !p.default);
    const sig = signature(analysis, block);
    return {
      label: block.name.name,
      kind: CompletionItemKind.Function,
      labelDetails: { detail: sig.label.slice(block.name.name.length) },
      documentation: markdown([`\`\`\`cnn\nblock ${sig.label}\n\`\`\``, docComment(analysis, block) ?? ''].join('\n\n')),
      insertText: `${block.name.name}(${required.map((p, i) => `\${${i + 1}:${p.name.name}}`).join(', ')})`,
      insertTextFormat: InsertTextFormat.Snippet,
    };
  });
  return [...layers, ...blocks, ...structures];
}

/**
 * The layers of the pretrained base on the line at the cursor, as `until` and `freeze` name
 * them. Read from its model.json: while the line is being typed it does not analyse yet.
 */
function baseLayerItems(text: string, offset: number, readBaseModel: ReadBaseModel | undefined): CompletionItem[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const source = /pretrained\s+"([^"]+)"/.exec(text.slice(lineStart, offset))?.[1];
  const read = source && readBaseModel?.(source);
  if (!read || 'error' in read) return [];
  let layers: KerasLayer[];
  try {
    // Parsed once per model.json text, and shared with the analysis.
    layers = topologyOf(read).layers.filter((layer) => layer.className !== 'InputLayer');
  } catch {
    return [];
  }
  return layers.map((layer, i): CompletionItem => ({
    label: layer.name,
    kind: CompletionItemKind.Value,
    detail: layer.className,
    // Keep the base's order: the deepest layers, usually the ones to cut at, come last.
    sortText: String(i).padStart(5, '0'),
  }));
}

/** Options, flags and activations of a layer or setting line that are not written yet. */
function wordItems(spec: WordsSpec, written: string[]): CompletionItem[] {
  const last = written[written.length - 1];
  const pending = spec.params.find((p) => !p.positional && p.name === last);
  if (pending) return pending.choices ? choiceItems(pending) : [];
  const positional = spec.params.filter((p) => p.positional);
  const firstValue = positional[0];
  if (written.length === 0 && firstValue?.type === 'word') {
    return spec.op === 'data' ? DATASETS.map((d) => ({ label: d.label, insertText: d.insert, kind: CompletionItemKind.Value, documentation: d.doc })) : choiceItems(firstValue);
  }
  const setKeys = new Set(spec.flags.filter((f) => written.includes(f.name)).flatMap((f) => Object.keys(f.sets)));
  const hasActivation = written.some((word) => Object.hasOwn(ACTIVATIONS, word));
  const options = spec.params.filter((p) => !p.positional && !written.includes(p.name)).map((p): CompletionItem => ({
    label: p.name,
    kind: CompletionItemKind.Property,
    detail: `${p.type}${p.default === undefined ? '' : `, default ${Array.isArray(p.default) ? p.default.join('×') : p.default}`}`,
    documentation: p.doc,
    insertText: p.choices ? `${p.name} \${1|${p.choices.join(',')}|}` : `${p.name} $1`,
    insertTextFormat: InsertTextFormat.Snippet,
  }));
  const flags = spec.flags.filter((f) => !written.includes(f.name) && !Object.keys(f.sets).some((key) => setKeys.has(key)))
    .map((f): CompletionItem => ({ label: f.name, kind: CompletionItemKind.EnumMember, detail: 'flag', documentation: f.doc }));
  const activations = spec.takesActivation && !hasActivation
    ? Object.entries(ACTIVATIONS).map(([name, doc]): CompletionItem => ({ label: name, kind: CompletionItemKind.Function, detail: 'activation', documentation: doc }))
    : [];
  return [...options, ...flags, ...activations];
}

function choiceItems(param: ParameterSpec): CompletionItem[] {
  return (param.choices ?? []).map((choice) => ({ label: choice, kind: CompletionItemKind.Value, detail: param.name, documentation: param.doc }));
}

/** Named arguments of the block, and the parameters of the enclosing declaration as values. */
function argumentItems(analysis: Analysis, blockName: string, decl: Declaration | undefined): CompletionItem[] {
  const block = analysis.blocks.get(blockName);
  const named = (block?.params ?? []).map((p): CompletionItem => ({
    label: `${p.name.name} =`,
    kind: CompletionItemKind.Field,
    detail: `parameter of ${blockName}`,
    documentation: parameterText(analysis, p),
    insertText: `${p.name.name} = $1`,
    insertTextFormat: InsertTextFormat.Snippet,
  }));
  const caller = decl?.kind === 'train' ? undefined : decl;
  const values = (caller?.params ?? []).map((p): CompletionItem => ({ label: p.name.name, kind: CompletionItemKind.Variable, detail: `parameter of ${caller!.name.name}` }));
  return [...values, ...named];
}

/** Settings not yet in this train section, each with a placeholder for its first value. */
function settingItems(decl: Declaration | undefined, offset: number): CompletionItem[] {
  const present = new Set(decl?.kind === 'train' ? decl.settings.filter((s) => s.span.end < offset || s.span.start > offset).map((s) => s.key.name) : []);
  return SETTINGS.filter((spec) => !present.has(spec.op)).map((spec): CompletionItem => {
    const first = spec.params.find((p) => p.positional && p.required);
    const value = spec.op === 'data'
      ? ` \${1|${DATASETS.map((d) => d.insert).join(',')}|}`
      : first?.choices ? ` \${1|${first.choices.join(',')}|}` : first ? ` \${1:${first.name}}` : '';
    return {
      label: spec.op,
      kind: CompletionItemKind.Property,
      documentation: markdown(`\`\`\`cnn\n${usage(spec)}\n\`\`\`\n\n${spec.doc}`),
      insertText: `${spec.op}${value}`,
      insertTextFormat: InsertTextFormat.Snippet,
    };
  });
}

function snippet(label: string, body: string, doc: string): CompletionItem {
  return { label, documentation: markdown(`\`\`\`cnn\n${withoutSnippetSyntax(body)}\n\`\`\`\n\n${doc}`), insertText: body, insertTextFormat: InsertTextFormat.Snippet };
}

function markdown(value: string) {
  return { kind: MarkupKind.Markdown, value };
}

/** Keeps the catalogue's order (input, conv, …) rather than the alphabet's. */
function withSortOrder(item: CompletionItem, index: number): CompletionItem {
  return { ...item, sortText: String(index).padStart(4, '0') };
}

/** For clients without snippets: the text with each placeholder's default. */
function withoutSnippet(item: CompletionItem): CompletionItem {
  if (item.insertTextFormat !== InsertTextFormat.Snippet || item.insertText === undefined) return item;
  return { ...item, insertText: withoutSnippetSyntax(item.insertText), insertTextFormat: InsertTextFormat.PlainText };
}

function withoutSnippetSyntax(body: string): string {
  return body
    .replace(/\$\{\d+\|([^,|]*)[^}]*\|\}/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '')
    .replace(/\t/g, '  ');
}
