import type { ModelGraph } from '../../language/layer-graph';
import { matchBaseWeights } from '../../language/pytorch/base-weights';
import { loadStateDict } from '../pytorch/state-dict';
import { readStateFile } from '../pytorch/state-file';
import type { CompiledModel } from './compile';
import { ModelFileError } from './model-file';

/**
 * Loads the weights of bases written as `.cnn` models (`pretrained VGG16 weights "…"`) from
 * their PyTorch state_dicts when training or inspection starts. The analysis checked a
 * safetensors file's shapes already; a .pt file is read (through Python) and checked here.
 */
export function loadStateDictBases(graph: ModelGraph, compiled: CompiledModel): number {
  let loaded = 0;
  for (const base of graph.stateDictBases ?? []) {
    const state = readStateFile(base.location);
    const match = matchBaseWeights(base.tensors, [...state].map(([key, tensor]) => ({ key, shape: tensor.shape })));
    if ('problems' in match) {
      const lines = match.problems.slice(0, 8).map((p) => `  ${p.message}`);
      const more = match.problems.length > 8 ? `\n  … and ${match.problems.length - 8} more` : '';
      throw new ModelFileError(`${base.location} does not fit model ${base.model}${base.line === undefined ? '' : ` (the pretrained line, line ${base.line})`}${match.byOrder ? ', its tensors matched by order' : ''}:\n${lines.join('\n')}${more}`);
    }
    const renamed = new Map([...match.keys].map(([ours, theirs]) => [ours, state.get(theirs)!]));
    loadStateDict(compiled.model, graph, base.tensors, renamed);
    loaded += match.keys.size;
  }
  return loaded;
}
