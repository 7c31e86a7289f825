import type { Analysis } from '../passes/analyze';
import type { LayerNode, ModelGraph } from '../layer-graph';
import type { TrainSpec } from '../passes/train-spec';
import { commentsAbove, headerLine, pythonText, trailingComment } from './comments';
import { activationOf, consumersOf, flattenOrders, nonNegativeNodes } from './flow';
import { modulePaths, pythonIdentifier } from './naming';
import { activate, type OpContext, type OpExport, PYTORCH_OPS, Unmappable } from './ops';
import { PYTHON_HELPERS } from './prelude';
import { PytorchExportError, type StateTensor } from './state';
import { optimizerFactory } from './training';

export interface PytorchModule {
  /** The Python source: a standalone module using torch (and nothing else). */
  code: string;
  className: string;
  /** The module's state_dict, in registration order, and how each tensor maps to ConvLab's weights. */
  tensors: StateTensor[];
  /** Parameters (not buffers), as sum(p.numel() for p in model.parameters()) counts them. */
  parameterCount: number;
  /** The model's outputs in the order forward_all returns them: main first, then aux heads. */
  outputs: string[];
}

const INDENT = '        ';

/**
 * Writes a model as a PyTorch nn.Module: one submodule per layer with a module, named by the
 * `.cnn` labels, block calls as containers, and a forward that writes out branches and
 * shortcuts. Stops with a PytorchExportError at the first layer it cannot map.
 */
export function exportPytorch(graph: ModelGraph, analysis: Analysis, spec?: TrainSpec, file?: string): PytorchModule {
  const { paths, containers } = modulePaths(graph);
  const nonNegative = nonNegativeNodes(graph);
  const { keepConvLabOrder, flattenedDense } = flattenOrders(graph);
  const consumers = consumersOf(graph);
  const outputs = graph.outputs.map((o) => o.node);
  const outputSet = new Set(outputs);
  const className = pythonIdentifier(graph.name);
  const helpers = new Set<string>();
  const init: string[] = [];
  const forward: string[] = [];
  const tensors: StateTensor[] = [];
  const variables: string[] = [];
  const usedVariables = new Set<string>(['x', 'image', 'F', 'torch', 'nn', 'self', 'outputs']);
  const blockDocs = new Map<string, string>();

  const containerLines = new Map(containers.map((c) => [c.path, c]));
  const created = new Set<string>();
  const ensureContainer = (path: string) => {
    const parts = path.split('.');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('.');
      const container = containerLines.get(prefix);
      if (!container || created.has(prefix)) continue;
      created.add(prefix);
      const blockClass = blockClassName(container.block);
      if (!blockDocs.has(blockClass)) blockDocs.set(blockClass, blockDoc(container.block, analysis));
      const call = analysis.text.slice(container.frame.callSpan.start, container.frame.callSpan.end).split('\n')[0]!.trim();
      init.push(`${INDENT}self.${prefix} = ${blockClass}()  # ${pythonText(call)}`);
    }
  };

  for (const node of graph.nodes) {
    const inputs = node.inputs.map((i) => graph.nodes[i]!.outputShape);
    if (node.op !== 'input' && (node.outputShape === null || inputs.some((s) => s === null))) {
      throw new PytorchExportError(`${node.name ?? node.op}: its shape is unknown; fix the model's errors before exporting`, node.span);
    }
    // Typed by op, but a graph from elsewhere may hold an op the exporter does not know.
    const mapper = (PYTORCH_OPS as Partial<Record<string, (ctx: OpContext) => OpExport>>)[node.op];
    if (!mapper) throw new PytorchExportError(`${node.name ?? node.op}: the op '${node.op}' has no PyTorch mapping in ConvLab's exporter`, node.span);
    let mapped: OpExport;
    let expression: string;
    const args = node.inputs.map((i) => variables[i]!);
    try {
      mapped = mapper({
        node, path: paths[node.id]!, inputs: inputs as number[][], nonNegativeInput: node.inputs.every((i) => nonNegative[i]),
        ...(flattenedDense.has(node.id) ? { flattened: flattenedDense.get(node.id)! } : {}), keepConvLabOrder: keepConvLabOrder.has(node.id),
      });
      const activation = activationOf(node);
      // A softmax at an output is left to the loss, as ConvLab's engine does: forward returns logits.
      const folded = outputSet.has(node.id) && activation === 'softmax';
      expression = folded ? mapped.forward(args) : activate(activation, mapped.forward(args), node.op === 'leakyrelu' || node.op === 'elu' ? node.attrs.alpha : undefined);
    } catch (error) {
      if (error instanceof Unmappable) throw new PytorchExportError(`${node.name ?? node.op}: ${error.message}`, node.span);
      throw error;
    }
    for (const helper of mapped.helpers ?? []) helpers.add(helper);
    const comment = trailingComment(analysis.lines, node.span.start);
    for (const [index, module] of mapped.modules.entries()) {
      ensureContainer(module.path.split('.').slice(0, -1).join('.'));
      const note = index === 0 && comment && !node.synthetic ? `  # ${pythonText(comment)}` : module.comment ? `  # ${module.comment}` : '';
      init.push(`${INDENT}self.${module.path} = ${module.ctor}${note}`);
      if (index === 0 && node.attrs.frozen === true) init.push(`${INDENT}self.${module.path}.requires_grad_(False)  # frozen in ConvLab`);
      if (index === 0) init.push(...initialisation(node, module.path));
    }
    tensors.push(...mapped.tensors);

    // `x` flows along a chain; a value read again later, or by a node further on, gets its own name.
    const readers = consumers[node.id]!;
    const chained = readers.length === 1 && readers[0] === node.id + 1 && !outputSet.has(node.id);
    let variable = 'x';
    if (node.op === 'input') {
      variables.push(chained ? 'x' : 'image');
      if (!chained) forward.push(`${INDENT}image = x`);
      continue;
    }
    if (!chained) {
      const stem = pythonIdentifier(paths[node.id]!.replace(/\./g, '_'));
      variable = stem;
      for (let k = 2; usedVariables.has(variable); k++) variable = `${stem}_${k}`;
      usedVariables.add(variable);
    }
    if (node.synthetic === 'shortcut' && mapped.modules.length > 0) forward.push(`${INDENT}# the shortcut: a 1×1 projection where the shape changes`);
    forward.push(`${INDENT}${variable} = ${expression}`);
    variables.push(variable);
  }

  const outputNames = graph.outputs.map((o) => o.name);
  const parameterCount = tensors.filter((t) => t.parameter).reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
  const code = assemble({
    graph, analysis, className, init, forward, outputs: outputs.map((id) => variables[id]!), outputNames, helpers, blockDocs, spec, tensors, file,
  });
  return { code, className, tensors, parameterCount, outputs: outputNames };
}

function blockClassName(block: string): string {
  const id = pythonIdentifier(block);
  return id.charAt(0).toUpperCase() + id.slice(1) + (block === 'pretrained' ? 'Base' : '');
}

function blockDoc(block: string, analysis: Analysis): string {
  const decl = analysis.blocks.get(block);
  if (!decl) return block === 'pretrained' ? 'The layers of a pretrained base.' : `block ${block}`;
  const comments = commentsAbove(analysis.lines, decl.span.start);
  return [headerLine(analysis.lines, decl.span.start), ...comments].join('\n    ');
}

interface Parts {
  graph: ModelGraph;
  analysis: Analysis;
  className: string;
  init: string[];
  forward: string[];
  outputs: string[];
  outputNames: string[];
  helpers: Set<string>;
  blockDocs: Map<string, string>;
  spec?: TrainSpec;
  tensors: StateTensor[];
  file?: string;
}

function assemble(p: Parts): string {
  const header = commentsAbove(p.analysis.lines, p.graph.span.start);
  const lines: string[] = [
    `"""${pythonText(p.graph.name)}${p.file ? `, exported by ConvLab from ${pythonText(p.file)}` : ', exported by ConvLab'}.`,
    '',
    ...header.map(pythonText),
    ...(header.length > 0 ? [''] : []),
    'Inputs are N×C×H×W (PyTorch\'s order); forward returns logits: a softmax at the output is left to',
    'the loss (nn.CrossEntropyLoss), as in ConvLab. Runs on torch 1.13 and 2.x.',
    '"""',
    'from typing import List, Tuple',
    '',
    'import torch',
    'import torch.nn.functional as F',
    'from torch import nn',
    '',
  ];
  for (const helper of [...p.helpers].sort()) lines.push('', PYTHON_HELPERS[helper]!, '');
  for (const [name, doc] of p.blockDocs) {
    lines.push('', `class ${name}(nn.Module):`, `    """${pythonText(doc)}`, '', `    A container for one call; ${p.className}.forward runs its layers."""`, '');
  }
  const aux = p.outputs.length > 1;
  lines.push(
    '',
    `class ${p.className}(nn.Module):`,
    `    """${pythonText(headerLine(p.analysis.lines, p.graph.span.start))}"""`,
    '',
    '    def __init__(self) -> None:',
    '        super().__init__()',
    ...p.init,
    '',
  );
  if (aux) {
    lines.push(
      `    def forward_all(self, x: torch.Tensor) -> List[torch.Tensor]:`,
      `        """Every output: ${p.outputNames.join(', ')}."""`,
      ...p.forward,
      `        return [${p.outputs.join(', ')}]`,
      '',
      '    def forward(self, x: torch.Tensor):  # type: ignore[no-untyped-def]',
      '        """The main output; while training, with the auxiliary heads after it (their loss weights are in AUX_WEIGHTS)."""',
      '        outputs = self.forward_all(x)',
      '        return tuple(outputs) if self.training else outputs[0]',
      '',
      `AUX_WEIGHTS = [${p.graph.outputs.slice(1).map((o) => o.lossWeight).join(', ')}]`,
    );
  } else {
    lines.push('    def forward(self, x: torch.Tensor) -> torch.Tensor:', ...p.forward, `        return ${p.outputs[0]}`);
  }
  if (p.spec) lines.push('', ...optimizerFactory(p.spec, p.className, p.tensors));
  lines.push('', '', `if __name__ == "__main__":`, `    model = ${p.className}().eval()`, `    print(model)`,
    `    print(sum(p.numel() for p in model.parameters()), "parameters")`, '');
  return lines.join('\n').replace(/\n{4,}/g, '\n\n\n');
}

/** `init normal std S`: the weights start as N(0, S²) and the bias at zero, as in ConvLab. */
function initialisation(node: LayerNode, path: string): string[] {
  if ((node.op !== 'conv' && node.op !== 'dense') || node.attrs.init !== 'normal') return [];
  const lines = [`${INDENT}nn.init.normal_(self.${path}.weight, std=${node.attrs.std})`];
  if (node.attrs.bias !== false) lines.push(`${INDENT}nn.init.zeros_(self.${path}.bias)`);
  return lines;
}
