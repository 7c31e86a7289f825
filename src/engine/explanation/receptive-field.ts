/**
 * Where a layer's windows sit on their input, and which input pixels reach one of its values.
 * The analyzer already knows each layer's receptive field and jump (instantiate.ts); what it
 * does not keep is how far padding shifts the first window, so that offset is summed here along
 * the layer's first input back to the image. Pure: no TensorFlow.
 */
import type { LayerNode, ModelGraph } from '../../language/layer-graph';
import { zeroPadSides } from '../../language/passes/ops';
import type { Region } from '../../protocol/explain';

export interface WindowGeometry {
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  /** Rows and columns padded before the first window (top, left). */
  before: [number, number];
  /** 'zeros' pads with zeros that count (explicit `pad`, or 'same' convolution); 'excluded' leaves them out (TensorFlow's 'same' pooling). */
  padding: 'zeros' | 'excluded';
}

const WINDOWED = new Set(['conv', 'dwconv', 'sepconv', 'maxpool', 'avgpool']);

/** The window of a conv or pooling node on its input, or undefined for other nodes. */
export function windowOf(node: LayerNode, inputShape: readonly number[]): WindowGeometry | undefined {
  if (!WINDOWED.has(node.op)) return undefined;
  const attrs = node.attrs as { kernel: number[]; stride?: number[]; dilation?: number[]; padding?: string; pad?: number[] };
  const kernel = pair(attrs.kernel, 1);
  const pooling = node.op === 'maxpool' || node.op === 'avgpool';
  const stride = attrs.stride === undefined && pooling ? kernel : pair(attrs.stride, 1);
  const dilation = pair(attrs.dilation, 1);
  if (attrs.pad !== undefined) return { kernel, stride, dilation, before: pair(attrs.pad, 0), padding: 'zeros' };
  if (attrs.padding !== 'same') return { kernel, stride, dilation, before: [0, 0], padding: 'zeros' };
  // TensorFlow's 'same': the total padding that keeps ceil(in / stride) outputs, the smaller half first.
  const before = [0, 1].map((d) => {
    const size = inputShape[d]!;
    const out = Math.ceil(size / stride[d]!);
    const total = Math.max((out - 1) * stride[d]! + (kernel[d]! - 1) * dilation[d]! + 1 - size, 0);
    return Math.floor(total / 2);
  }) as [number, number];
  return { kernel, stride, dilation, before, padding: pooling ? 'excluded' : 'zeros' };
}

/**
 * The input pixels that reach value (row, column) of a node, clamped to the image: the
 * analyzer's receptive field and jump placed at `position × jump − offset`, where the offset is
 * the padding of every window on the way, each in input pixels (its padding × the jump before it).
 */
export function receptiveRegion(graph: ModelGraph, nodeId: number, row: number, column: number): Region | undefined {
  const node = graph.nodes[nodeId]!;
  const image = graph.nodes[0]!.outputShape;
  if (!image || image.length !== 3 || node.outputShape?.length !== 3) return undefined;
  const offset = paddingOffset(graph, nodeId);
  const [fieldH, fieldW] = node.receptiveField;
  const [jumpH, jumpW] = node.jump;
  const top = row * jumpH - offset[0];
  const left = column * jumpW - offset[1];
  const clamp = (v: number, size: number) => Math.min(Math.max(v, 0), size - 1);
  return { top: clamp(top, image[0]!), left: clamp(left, image[1]!), bottom: clamp(top + fieldH - 1, image[0]!), right: clamp(left + fieldW - 1, image[1]!) };
}

/** How many input pixels padding shifts a node's first value up and left, along its first inputs. */
export function paddingOffset(graph: ModelGraph, nodeId: number): [number, number] {
  const chain: LayerNode[] = [];
  for (let node = graph.nodes[nodeId]; node && node.op !== 'input'; node = graph.nodes[node.inputs[0] ?? -1]) chain.push(node);
  const offset: [number, number] = [0, 0];
  for (const node of chain.reverse()) {
    const source = graph.nodes[node.inputs[0] ?? -1];
    const inputShape = source?.outputShape;
    if (!source || !inputShape || inputShape.length !== 3) continue;
    const before = node.op === 'zeropad' ? beforeOfZeroPad(node) : windowOf(node, inputShape)?.before;
    if (!before) continue;
    offset[0] += before[0] * source.jump[0];
    offset[1] += before[1] * source.jump[1];
  }
  return offset;
}

function beforeOfZeroPad(node: Extract<LayerNode, { op: 'zeropad' }>): [number, number] {
  const [top, , left] = zeroPadSides(node.attrs);
  return [top, left];
}

function pair(value: number[] | number | undefined, fallback: number): [number, number] {
  if (Array.isArray(value)) return [value[0] ?? fallback, value[1] ?? value[0] ?? fallback];
  if (typeof value === 'number') return [value, value];
  return [fallback, fallback];
}
