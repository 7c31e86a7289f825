import { existsSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelGraph } from '../../language/layer-graph';
import { layerNames } from '../../language/passes/summarize';
import { isBaseNode, isUrlSource, type ReadBaseModel } from '../../language/passes/pretrained';
import { baseModelReader, basesCacheDir, cachedModelJson } from './base-location';
import { tfLayerName, type CompiledModel } from './compile';
import { downloadFile, type ProgressCallback } from '../data/download';
import { loadModelFile, ModelFileError, type LoadedModel } from './model-file';
import { loadStateDictBases } from './state-dict-base';
import type { ReadStateDict } from '../../language/passes/cnn-base';
import { stateDictReader, torchvisionCacheFile, torchvisionName } from '../pytorch/state-header';
import { torchvisionWeights } from '../pytorch/torchvision';
import { tf } from '../backends/tf';

/** Pretrained bases' files: downloading URL bases, and loading weights layer by layer by Keras name. */

export interface BaseDownloadOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  cacheDir?: string;
  /** Where image-folder datasets are looked up, to count a train section's classes. */
  dataDir?: string;
}

/**
 * The model file loaded for training, with the URL bases it names downloaded into the cache
 * first where they are not there yet: one analysis when every base is at hand (the usual
 * case), and a second only after a download.
 */
export async function loadModelWithBases(file: string, modelName: string | undefined, options: BaseDownloadOptions = {}): Promise<LoadedModel> {
  const cacheDir = options.cacheDir ?? basesCacheDir();
  const reader = baseModelReader(file, cacheDir);
  const missing = new Set<string>();
  const noting: ReadBaseModel = (source) => {
    if (isUrlSource(source) && !existsSync(cachedModelJson(source, cacheDir))) missing.add(source);
    return reader(source);
  };
  const stateReader = stateDictReader(file);
  const networks = new Set<string>();
  const notingNetworks: ReadStateDict = (source) => {
    const network = torchvisionName(source);
    if (network !== undefined && !existsSync(torchvisionCacheFile(network))) networks.add(network);
    return stateReader(source);
  };
  try {
    return loadModelFile(file, modelName, noting, options.dataDir, notingNetworks);
  } catch (error) {
    if ((missing.size === 0 && networks.size === 0) || !(error instanceof ModelFileError)) throw error;
  }
  await downloadBases([...missing], cacheDir, options);
  // torchvision's ImageNet weights: torch.hub's cache, else a download, converted into ConvLab's cache once.
  for (const network of networks) torchvisionWeights(network);
  return loadModelFile(file, modelName, reader, options.dataDir, stateReader);
}

/**
 * Downloads the model.json and weight files of URL bases into the cache, so that the analysis
 * and the weights can be read offline afterwards.
 */
async function downloadBases(urls: string[], cacheDir: string, { onProgress, signal }: BaseDownloadOptions): Promise<void> {
  for (const url of urls) {
    const target = cachedModelJson(url, cacheDir);
    if (existsSync(target)) continue;
    const folder = dirname(target);
    const staging = join(folder, 'model.json.download');
    await downloadFile(url, staging, { onProgress, signal });
    const manifest = JSON.parse(readFileSync(staging, 'utf8')) as { weightsManifest?: { paths: string[] }[] };
    for (const path of (manifest.weightsManifest ?? []).flatMap((group) => group.paths)) {
      await downloadFile(new URL(path, url).toString(), join(folder, path), { onProgress, signal });
    }
    // model.json last: its presence means the whole base is here.
    renameSync(staging, target);
  }
}

interface WeightsManifestGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** Reads a model.json's weight files and decodes them (dequantising 8- and 16-bit weights). */
function readWeights(location: string): tf.NamedTensorMap {
  const json = JSON.parse(readFileSync(location, 'utf8')) as { weightsManifest?: WeightsManifestGroup[] };
  const groups = json.weightsManifest ?? [];
  if (groups.length === 0) throw new ModelFileError(`${location} lists no weights (weightsManifest): the base has topology only`);
  const tensors: tf.NamedTensorMap = {};
  for (const group of groups) {
    const buffers = group.paths.map((path) => {
      const file = join(dirname(location), path);
      try {
        return readFileSync(file);
      } catch (error) {
        throw new ModelFileError(`${file}: cannot read the base's weights (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    });
    const joined = Buffer.concat(buffers);
    const expected = group.weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * bytesPerValue(w), 0);
    if (joined.length !== expected) {
      throw new ModelFileError(`${group.paths.map((p) => join(dirname(location), p)).join(', ')}: ${joined.length} bytes, but model.json's manifest describes ${expected}: the weights do not belong to this model.json or are truncated`);
    }
    Object.assign(tensors, tf.io.decodeWeights(joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength), group.weights));
  }
  return tensors;
}

function bytesPerValue(entry: tf.io.WeightsManifestEntry): number {
  const quantized = entry.quantization?.dtype;
  if (quantized === 'uint8') return 1;
  if (quantized === 'uint16' || quantized === 'float16') return 2;
  return entry.dtype === 'bool' ? 1 : 4;
}

/** Sets the weights of every base layer of a compiled model: from its model.json's weight files, or its state_dict. */
export function loadBaseWeights(graph: ModelGraph, compiled: CompiledModel): number {
  const names = layerNames(graph).map(tfLayerName);
  const byLocation = new Map<string, { id: number; keras: string }[]>();
  for (const node of graph.nodes) {
    if (!isBaseNode(node) || node.attrs.baseModel !== undefined) continue;
    const location = node.attrs.baseSource;
    byLocation.set(location, [...(byLocation.get(location) ?? []), { id: node.id, keras: node.attrs.baseLayer }]);
  }
  let loaded = loadStateDictBases(graph, compiled);
  for (const [location, layers] of byLocation) {
    const tensors = readWeights(location);
    try {
      for (const { id, keras } of layers) {
        const layer = compiled.model.getLayer(names[id]!);
        if (layer.weights.length === 0) continue;
        const values = layer.weights.map((weight) => {
          const kind = weight.originalName.slice(weight.originalName.lastIndexOf('/') + 1);
          const key = `${keras}/${kind}`;
          const tensor = tensors[key] ?? Object.entries(tensors).find(([name]) => name.endsWith(`/${key}`))?.[1];
          if (!tensor) throw new ModelFileError(`${location}: no weight ${key} for layer ${keras} in the weights manifest`);
          if (tensor.shape.join('x') !== weight.shape.join('x')) {
            throw new ModelFileError(`${location}: weight ${key} is ${tensor.shape.join('×')}, but layer ${keras} needs ${weight.shape.join('×')}`);
          }
          return tensor;
        });
        layer.setWeights(values);
        loaded += values.length;
      }
    } finally {
      tf.dispose(Object.values(tensors));
    }
  }
  return loaded;
}
