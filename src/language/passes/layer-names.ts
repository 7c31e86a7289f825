import type { LayerNode, ModelGraph, ScopeFrame } from '../layer-graph';

/**
 * A unique display name for every node: the label written in source, else the op with a
 * counter (`conv_3`), as Keras names unnamed layers. Inside a labelled call the name is
 * qualified by the call and counted within it (`fire2/conv_1`), as Keras and torchinfo nest
 * their names, so a summary compares row by row. The engine uses the same names.
 */
export function layerNames(graph: ModelGraph): string[] {
  return namesOf(graph).current;
}

/**
 * The names given before unlabelled layers in labelled calls were qualified: one counter for
 * the whole model (`conv_18`). Run folders made then name their layers so; `--layer` and
 * checkpoints still find them through these.
 */
export function legacyLayerNames(graph: ModelGraph): string[] {
  return namesOf(graph).legacy;
}

/** The node a name means: its name now, else its name in older runs. */
export function findLayerIndex(graph: ModelGraph, name: string): number {
  const { current, legacy } = namesOf(graph);
  const index = current.indexOf(name);
  return index >= 0 ? index : legacy.indexOf(name);
}

function namesOf(graph: ModelGraph): { current: string[]; legacy: string[] } {
  const counters = new Map<string, number>();
  const taken = new Set(graph.nodes.map((n) => n.name).filter((n): n is string => n !== undefined));
  const next = (prefix: string | undefined, op: string): string => {
    const key = `${prefix ?? ''}\u0000${op}`;
    for (;;) {
      const k = (counters.get(key) ?? 0) + 1;
      counters.set(key, k);
      const candidate = prefix === undefined ? `${op}_${k}` : `${prefix}/${op}_${k}`;
      if (!taken.has(candidate)) {
        taken.add(candidate);
        return candidate;
      }
    }
  };
  const current: string[] = [];
  const legacy: string[] = [];
  for (const node of graph.nodes) {
    if (node.name !== undefined) {
      current.push(node.name);
      legacy.push(node.name);
      continue;
    }
    // The model-wide counter advances for every unnamed node, so names outside labelled calls stay as they were.
    const flat = next(undefined, node.op);
    legacy.push(flat);
    const prefix = labelledPrefix(node);
    current.push(prefix === undefined ? flat : next(prefix, node.op));
  }
  return { current, legacy };
}

/** The call chain up to the innermost labelled call (`inception3a`, `stage2/block1`), if any. */
function labelledPrefix(node: LayerNode): string | undefined {
  let last = -1;
  node.scope.forEach((frame: ScopeFrame, i) => {
    if (frame.label !== undefined) last = i;
  });
  if (last < 0) return undefined;
  return node.scope.slice(0, last + 1).map((frame) => frame.label ?? `${frame.block}${frame.instance}`).join('/');
}
