/**
 * Reads the topology of a TensorFlow.js layers model (`model.json`, as the TensorFlow.js
 * converter writes Keras models): its layers in file order, each with its class, config and the
 * layers it reads. Weights are not needed: the analyzer infers shapes and counts from configs.
 */

export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the layers whose outputs this one reads, in order. */
  inbound: string[];
}

export interface KerasTopology {
  /** The model's name in the file. */
  name: string;
  layers: KerasLayer[];
  /** H×W×C the model was built for; null for a side Keras left open (include_top=False). */
  inputShape: (number | null)[];
}

export class TopologyError extends Error {}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses model.json text; throws TopologyError saying what is wrong with it. */
export function readKerasTopology(text: string): KerasTopology {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TopologyError(`not JSON (${(error as Error).message})`);
  }
  if (!isObject(json) || !isObject(json.modelTopology)) {
    throw new TopologyError(isObject(json) && 'format' in json && json.format === 'graph-model'
      ? 'a TensorFlow.js graph model: only layers models (Keras models converted with tensorflowjs_converter) have the topology a base needs'
      : 'no modelTopology: not a TensorFlow.js layers model');
  }
  const topology = json.modelTopology;
  const model = isObject(topology.model_config) ? topology.model_config : topology;
  const className = model.class_name;
  const config = model.config;
  if (className === 'Sequential') return sequential(config);
  if ((className === 'Model' || className === 'Functional') && isObject(config) && Array.isArray(config.layers)) return functional(config);
  throw new TopologyError(`a model of class ${String(className)}: only Sequential and functional (Model) topologies can be read`);
}

function sequential(config: unknown): KerasTopology {
  const layersJson = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : undefined;
  if (!layersJson) throw new TopologyError('a Sequential model without layers');
  const name = isObject(config) && typeof config.name === 'string' ? config.name : 'sequential';
  const layers: KerasLayer[] = [];
  let inputShape: (number | null)[] | undefined;
  for (const entry of layersJson) {
    const layer = layerOf(entry);
    if (layer.className === 'InputLayer') {
      inputShape = batchShape(layer.config);
      layers.push({ ...layer, inbound: [] });
      continue;
    }
    if (layers.length === 0) {
      inputShape = batchShape(layer.config);
      if (!inputShape) throw new TopologyError(`the first layer, ${layer.name}, has no batch_input_shape`);
      layers.push({ name: `${name}_input`, className: 'InputLayer', config: {}, inbound: [] });
    }
    layers.push({ ...layer, inbound: [layers[layers.length - 1]!.name] });
  }
  if (!inputShape) throw new TopologyError('no input shape');
  return { name, layers, inputShape };
}

function functional(config: Json): KerasTopology {
  const layers = (config.layers as unknown[]).map((entry) => {
    const layer = layerOf(entry);
    return { ...layer, inbound: inboundOf(layer.name, (entry as Json).inbound_nodes) };
  });
  const inputs = layers.filter((l) => l.className === 'InputLayer');
  if (inputs.length !== 1) throw new TopologyError(`a base needs exactly one input layer, this model has ${inputs.length}`);
  const inputShape = batchShape(inputs[0]!.config);
  if (!inputShape) throw new TopologyError(`input layer ${inputs[0]!.name} has no batch_input_shape`);
  const known = new Set<string>();
  for (const layer of layers) {
    for (const source of layer.inbound) {
      if (!known.has(source)) throw new TopologyError(`layer ${layer.name} reads ${source}, which is not an earlier layer`);
    }
    known.add(layer.name);
  }
  return { name: typeof config.name === 'string' ? config.name : 'model', layers, inputShape };
}

function layerOf(entry: unknown): Omit<KerasLayer, 'inbound'> {
  if (!isObject(entry) || typeof entry.class_name !== 'string' || !isObject(entry.config)) throw new TopologyError('a layer without class_name and config');
  const name = typeof entry.name === 'string' ? entry.name : typeof entry.config.name === 'string' ? entry.config.name : undefined;
  if (!name) throw new TopologyError(`a ${entry.class_name} layer without a name`);
  return { name, className: entry.class_name, config: entry.config };
}

/** Keras 2 writes `[[["layer", node, tensor, {}], …]]`: one list per call; a base layer is called once. */
function inboundOf(layer: string, nodes: unknown): string[] {
  if (nodes === undefined || (Array.isArray(nodes) && nodes.length === 0)) return [];
  if (!Array.isArray(nodes) || !Array.isArray(nodes[0])) throw new TopologyError(`layer ${layer}: inbound_nodes in a form this reader does not know`);
  if (nodes.length > 1) throw new TopologyError(`layer ${layer} is shared (called ${nodes.length} times), which a base cannot have`);
  return (nodes[0] as unknown[]).map((link) => {
    if (!Array.isArray(link) || typeof link[0] !== 'string') throw new TopologyError(`layer ${layer}: an inbound link without a layer name`);
    return link[0];
  });
}

function batchShape(config: Json): (number | null)[] | undefined {
  const shape = config.batch_input_shape ?? config.batch_shape;
  if (!Array.isArray(shape) || shape.length < 2) return undefined;
  return shape.slice(1).map((d) => (typeof d === 'number' ? d : null));
}
