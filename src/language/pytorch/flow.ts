import type { LayerNode, ModelGraph } from '../layer-graph';

const NON_NEGATIVE_ACTIVATIONS = new Set(['relu', 'relu6', 'sigmoid', 'softmax']);
/** Ops whose output is ≥ 0 wherever all their inputs are. */
const KEEPS_SIGN = new Set(['maxpool', 'avgpool', 'globalavgpool', 'globalmaxpool', 'dropout', 'flatten', 'zeropad', 'concat', 'add', 'linear']);
/** Ops that pass a vector on element by element, so the order of its entries stays what it was. */
const ELEMENTWISE = new Set(['dropout', 'relu', 'relu6', 'leakyrelu', 'elu', 'gelu', 'tanh', 'sigmoid', 'linear']);

export const activationOf = (node: LayerNode): string =>
  (ELEMENTWISE.has(node.op) || node.op === 'softmax') && node.op !== 'dropout' ? node.op : (node.attrs.activation ?? 'linear');

/** Which nodes' outputs are known to be ≥ 0 (after a relu), for max pooling's padding. */
export function nonNegativeNodes(graph: ModelGraph): boolean[] {
  const result: boolean[] = [];
  for (const node of graph.nodes) {
    const activation = activationOf(node);
    if (NON_NEGATIVE_ACTIVATIONS.has(activation)) result.push(true);
    else result.push(activation === 'linear' && KEEPS_SIGN.has(node.op) && node.inputs.length > 0 && node.inputs.every((i) => result[i] === true));
  }
  return result;
}

export function consumersOf(graph: ModelGraph): number[][] {
  const consumers: number[][] = graph.nodes.map(() => []);
  for (const node of graph.nodes) for (const input of node.inputs) consumers[input]!.push(node.id);
  return consumers;
}

/**
 * For each flatten of H×W×C maps (H×W > 1): whether only dense layers read its order (through
 * element-wise layers), and those dense layers, whose weights then take PyTorch's C×H×W order.
 */
export function flattenOrders(graph: ModelGraph): { keepConvLabOrder: Set<number>; flattenedDense: Map<number, [number, number, number]> } {
  const consumers = consumersOf(graph);
  const outputs = new Set(graph.outputs.map((o) => o.node));
  const keepConvLabOrder = new Set<number>();
  const flattenedDense = new Map<number, [number, number, number]>();
  for (const node of graph.nodes) {
    if (node.op !== 'flatten') continue;
    const input = graph.nodes[node.inputs[0]!]?.outputShape;
    if (!input || input.length !== 3 || input[0]! * input[1]! === 1) continue;
    const denses: number[] = [];
    let onlyDense = true;
    const walk = (id: number): void => {
      if (outputs.has(id)) onlyDense = false;
      for (const next of consumers[id]!) {
        const op = graph.nodes[next]!.op;
        if (op === 'dense') denses.push(next);
        else if (ELEMENTWISE.has(op)) walk(next);
        else onlyDense = false;
      }
    };
    walk(node.id);
    if (onlyDense) for (const id of denses) flattenedDense.set(id, input as [number, number, number]);
    else keepConvLabOrder.add(node.id);
  }
  return { keepConvLabOrder, flattenedDense };
}
