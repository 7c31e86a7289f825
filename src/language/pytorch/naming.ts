import type { LayerNode, ModelGraph, ScopeFrame } from '../layer-graph';

/** Where a node's module lives in the exported nn.Module: `inception3a.cbr_1.conv_1`. */
export interface ModulePaths {
  /** One dotted path per node (also for nodes without a module: it names their variable). */
  paths: string[];
  /** Container modules to create, parents before children, with the block call they hold. */
  containers: { path: string; block: string; frame: ScopeFrame }[];
}

// Attributes of nn.Module that a submodule of the same name would shadow, and Python keywords.
const RESERVED = new Set([
  'forward', 'training', 'train', 'eval', 'to', 'cuda', 'cpu', 'float', 'double', 'half', 'type', 'apply', 'modules', 'children', 'parameters',
  'buffers', 'state_dict', 'load_state_dict', 'add_module', 'register_buffer', 'register_parameter', 'zero_grad', 'named_modules', 'extra_repr',
  'get_submodule', 'requires_grad_', 'share_memory', 'dump_patches', 'outputs', 'forward_all',
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
]);

/** A `.cnn` name as a Python attribute: other characters become `_`, a leading digit gets `_`. */
export function pythonIdentifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^[0-9]/.test(id) || id === '') id = `_${id}`;
  return RESERVED.has(id) ? `${id}_` : id;
}

/**
 * Gives every node a module path. Each block call becomes a container named by its label
 * (`inception3a`) or, unlabelled, by its block and a count (`basic_2`); a labelled layer keeps its
 * label, an unlabelled one is named as Keras would within its container (`conv_1`).
 */
export function modulePaths(graph: ModelGraph): ModulePaths {
  const containerOf = new Map<number, string>();
  const containers: ModulePaths['containers'] = [];
  const taken = new Map<string, Set<string>>();
  const counters = new Map<string, Map<string, number>>();
  const claim = (parent: string, wanted: string): string => {
    const names = taken.get(parent) ?? new Set<string>();
    taken.set(parent, names);
    let name = pythonIdentifier(wanted);
    for (let k = 2; names.has(name); k++) name = `${pythonIdentifier(wanted)}_${k}`;
    names.add(name);
    return name;
  };
  const counted = (parent: string, stem: string): string => {
    const perParent = counters.get(parent) ?? new Map<string, number>();
    counters.set(parent, perParent);
    const names = taken.get(parent) ?? new Set<string>();
    for (;;) {
      const k = (perParent.get(stem) ?? 0) + 1;
      perParent.set(stem, k);
      if (!names.has(`${stem}_${k}`)) return claim(parent, `${stem}_${k}`);
    }
  };
  // Labelled nodes claim their names first, so that a counted name never takes a label's place.
  const preclaimed = new Set<number>();
  for (const node of graph.nodes) {
    if (node.name === undefined || node.scope.some((frame) => frame.label === undefined)) continue;
    claim(containerPath(node.scope), leafLabel(node));
    preclaimed.add(node.id);
  }
  function containerPath(scope: ScopeFrame[]): string {
    let parent = '';
    for (const frame of scope) {
      const done = containerOf.get(frame.instance);
      if (done !== undefined) {
        parent = done;
        continue;
      }
      const name = frame.label !== undefined ? claim(parent, frame.label) : counted(parent, frame.block);
      const path = parent === '' ? name : `${parent}.${name}`;
      containerOf.set(frame.instance, path);
      containers.push({ path, block: frame.block, frame });
      parent = path;
    }
    return parent;
  }
  const paths = graph.nodes.map((node) => {
    const parent = containerPath(node.scope);
    const leaf = preclaimed.has(node.id) ? pythonIdentifier(leafLabel(node)) : node.name !== undefined ? claim(parent, leafLabel(node)) : counted(parent, node.op);
    return parent === '' ? leaf : `${parent}.${leaf}`;
  });
  return { paths, containers };
}

/** The last part of a qualified name: `b1` of `inception3a/b1`. */
function leafLabel(node: LayerNode): string {
  const parts = node.name!.split('/');
  return parts[parts.length - 1]!;
}
