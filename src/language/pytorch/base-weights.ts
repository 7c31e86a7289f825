import type { StateTensor } from './state';

/**
 * Matching a PyTorch state_dict to the layers a base written as a `.cnn` model keeps. The file
 * may name its tensors as the exported module does (`block1.conv_1.weight`, ConvLab's export)
 * or as another network does (torchvision's `features.0.weight`); then tensors are matched by
 * order, as `convlab import-weights --torchvision` does, since a `.cnn` model written after a
 * network registers its layers in the same order. A cut base needs only its kept tensors: a
 * file that stops after them (torchvision's features alone) is enough.
 */

/** A tensor of a kept base layer: its place in the whole base's state_dict, and the layer's name. */
export interface BaseTensor extends StateTensor {
  /** Index among the base module's tensors, counters (num_batches_tracked) left out. */
  order: number;
  /** The base layer's name in its own model (`block1/conv_1`), and its line in the file. */
  layer: string;
  line?: number;
}

export interface FileTensor {
  key: string;
  shape: number[];
}

export interface WeightsProblem {
  message: string;
  tensor: BaseTensor;
}

/** For each kept tensor (counters aside), the file's key that holds it; or every way it does not fit. */
export type WeightsMatch = { keys: Map<string, string>; byOrder: boolean } | { problems: WeightsProblem[]; byOrder: boolean };

const isCounter = (key: string) => key.endsWith('num_batches_tracked');

export function matchBaseWeights(kept: BaseTensor[], file: FileTensor[]): WeightsMatch {
  const wanted = kept.filter((t) => t.layout !== 'counter');
  const byKey = new Map(file.map((t) => [t.key, t]));
  const byOrder = !wanted.some((t) => byKey.has(t.key));
  const ordered = file.filter((t) => !isCounter(t.key));
  const keys = new Map<string, string>();
  const problems: WeightsProblem[] = [];
  for (const tensor of wanted) {
    const given = byOrder ? ordered[tensor.order] : byKey.get(tensor.key);
    if (!given) {
      problems.push({
        tensor, message: byOrder
          ? `layer ${where(tensor)} needs tensor ${tensor.order + 1} (${tensor.key}, ${text(tensor.shape)}), but the file has only ${ordered.length}`
          : `layer ${where(tensor)} needs ${tensor.key} ${text(tensor.shape)}, which the file lacks`,
      });
      continue;
    }
    if (text(given.shape) !== text(tensor.shape)) {
      problems.push({ tensor, message: `layer ${where(tensor)}: the file's ${given.key}${byOrder ? ` (tensor ${tensor.order + 1})` : ''} is ${text(given.shape)}, the layer needs ${text(tensor.shape)}` });
      continue;
    }
    keys.set(tensor.key, given.key);
  }
  return problems.length > 0 ? { problems, byOrder } : { keys, byOrder };
}

const where = (tensor: BaseTensor) => `${tensor.layer}${tensor.line === undefined ? '' : ` (line ${tensor.line})`}`;
const text = (shape: number[]) => `[${shape.join(', ')}]`;
