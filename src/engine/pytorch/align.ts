import type { StateTensor } from '../../language/pytorch/state';
import type { NamedTensor } from './safetensors';

/**
 * Renames another network's state_dict (torchvision's `features.0.weight`) to the exported
 * module's keys by order: a `.cnn` model written after a torchvision network registers its
 * layers in the same order, so the n-th tensor of one is the n-th of the other. Every pair
 * must agree in shape; where they do not, the first disagreement is reported with both names,
 * which is where the two networks part.
 */
export function alignByOrder(tensors: StateTensor[], state: Map<string, NamedTensor>): { state: Map<string, NamedTensor> } | { problem: string; tensor?: StateTensor } {
  const theirs = [...state.entries()];
  if (theirs.length !== tensors.length) {
    const count = (n: number, what: string) => `${n} ${what}`;
    const firstDifference = tensors.findIndex((t, i) => !theirs[i] || !sameShape(theirs[i]![1].shape, t.shape));
    const where = firstDifference >= 0 ? `; the first that differs is number ${firstDifference + 1}: the model's ${tensors[firstDifference]!.key} ${text(tensors[firstDifference]!.shape)} against ${theirs[firstDifference] ? `${theirs[firstDifference]![0]} ${text(theirs[firstDifference]![1].shape)}` : 'nothing'}` : '';
    return { problem: `${count(theirs.length, 'tensors in the file')} against ${count(tensors.length, 'in the model')}${where}`, ...(firstDifference >= 0 ? { tensor: tensors[firstDifference] } : {}) };
  }
  const renamed = new Map<string, NamedTensor>();
  for (const [i, tensor] of tensors.entries()) {
    const [name, value] = theirs[i]!;
    if (!sameShape(value.shape, tensor.shape)) {
      return { problem: `tensor ${i + 1}: the file's ${name} is ${text(value.shape)}, the model's ${tensor.key} needs ${text(tensor.shape)}`, tensor };
    }
    renamed.set(tensor.key, value);
  }
  return { state: renamed };
}

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((n, i) => n === b[i]);
const text = (shape: number[]) => `[${shape.join(', ')}]`;
