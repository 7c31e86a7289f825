import type { ModelGraph } from '../layer-graph';
import { flattenOrders, nonNegativeNodes } from './flow';
import { modulePaths } from './naming';
import { type OpContext, type OpExport, PYTORCH_OPS, Unmappable } from './ops';
import { PytorchExportError, type StateTensor } from './state';

/**
 * The state_dict of a model's exported module, without its code: what a base written as a
 * `.cnn` model expects of a PyTorch state_dict, read as the file is typed (exportPytorch gives
 * the same tensors in the same order, with the code).
 */
export function stateTensorsOf(graph: ModelGraph): StateTensor[] {
  const { paths } = modulePaths(graph);
  const nonNegative = nonNegativeNodes(graph);
  const { keepConvLabOrder, flattenedDense } = flattenOrders(graph);
  const tensors: StateTensor[] = [];
  for (const node of graph.nodes) {
    if (node.op === 'input') continue;
    const inputs = node.inputs.map((i) => graph.nodes[i]!.outputShape);
    if (node.outputShape === null || inputs.some((s) => s === null)) throw new PytorchExportError(`${node.name ?? node.op}: its shape is unknown`, node.span);
    const mapper = (PYTORCH_OPS as Partial<Record<string, (ctx: OpContext) => OpExport>>)[node.op];
    if (!mapper) throw new PytorchExportError(`${node.name ?? node.op}: the op '${node.op}' has no PyTorch mapping`, node.span);
    try {
      tensors.push(...mapper({
        node, path: paths[node.id]!, inputs: inputs as number[][], nonNegativeInput: node.inputs.every((i) => nonNegative[i]),
        ...(flattenedDense.has(node.id) ? { flattened: flattenedDense.get(node.id)! } : {}), keepConvLabOrder: keepConvLabOrder.has(node.id),
      }).tensors);
    } catch (error) {
      if (error instanceof Unmappable) throw new PytorchExportError(`${node.name ?? node.op}: ${error.message}`, node.span);
      throw error;
    }
  }
  return tensors;
}
