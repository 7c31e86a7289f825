import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { selectBackend } from '../backends/select-backend';
import { findLayerIndex, layerNames, layerType } from '../../language/passes/summarize';
import type { EncodedArray, InspectRequest, InspectResult } from '../../protocol/inspect';
import { encodeFloat32 } from '../../protocol/encoded-array';
import { TRAIN_DEFAULTS } from '../../protocol/train-defaults';
import { loadBaseWeights } from '../model/base-model';
import { loadCheckpointWeights } from '../model/checkpoint';
import { compileModel, tfLayerName, type CompiledModel } from '../model/compile';
import { readImageFile } from '../data/image-file';
import { loadModelFile, ModelFileError, type LoadedModel } from '../model/model-file';
import { normalizationFor, openTrainingData } from '../data/training-data';
import { tf } from '../backends/tf';

/** A model ready to inspect: compiled, with a run's weights or seeded ones. Reused across requests. */
export interface InspectableModel {
  loaded: LoadedModel;
  compiled: CompiledModel;
  weights: string;
}

export async function loadInspectable(request: Pick<InspectRequest, 'file' | 'model' | 'run' | 'backend' | 'nativeDir'>): Promise<InspectableModel> {
  const loaded = loadModelFile(request.file, request.model);
  await selectBackend({ force: request.backend, nativeDir: request.nativeDir, searchFrom: [dirname(resolve(request.file))], cpuOnly: true });
  const seed = loaded.spec.seed ?? TRAIN_DEFAULTS.seed;
  const compiled = compileModel(loaded.graph, { seed });
  // Without a run, a pretrained base still shows what it learned; only the rest is untrained.
  const fromBases = !request.run && loadBaseWeights(loaded.graph, compiled) > 0;
  let weights = fromBases ? `pretrained base, head untrained (seed ${seed})` : `untrained (seed ${seed})`;
  if (request.run) {
    const dir = ['best', 'last'].map((k) => join(request.run!, k)).find((d) => existsSync(join(d, 'model.json')));
    if (!dir) throw new ModelFileError(`${request.run} has no best/ or last/ checkpoint`);
    await loadCheckpointWeights(dir, compiled.model, compiled.renamed);
    weights = dir;
  }
  return { loaded, compiled, weights };
}

/** A layer's filters and its activations for one image. */
export async function inspectLayer(model: InspectableModel, request: InspectRequest): Promise<InspectResult> {
  const { graph } = model.loaded;
  const names = layerNames(graph);
  const index = findLayerIndex(graph, request.layer);
  if (index < 0) throw new ModelFileError(`model ${graph.name} has no layer '${request.layer}' (layers: ${names.join(', ')})`);
  const node = graph.nodes[index]!;
  const inputShape = graph.nodes[0]!.outputShape!;
  if (inputShape.length !== 3) throw new ModelFileError(`model ${graph.name} takes vectors, not images: there are no feature maps to show`);
  const { x, label, source } = await loadExample(model, request, inputShape as [number, number, number]);
  const layer = model.compiled.model.getLayer(model.compiled.layerOfNode.get(index)!);
  const output = tf.tidy(() => {
    const probe = tf.model({ inputs: model.compiled.model.inputs, outputs: layer.output as tf.SymbolicTensor });
    return (probe.predict(tf.tensor(x, [1, ...inputShape])) as tf.Tensor).squeeze([0]);
  });
  const activations = encode(output);
  output.dispose();
  const kernel = ['conv', 'dwconv', 'sepconv'].includes(node.op) ? kernelOf(model.compiled, tfLayerName(names[index]!)) : undefined;
  return {
    model: graph.name, layer: request.layer, type: layerType(node), weights: model.weights,
    filters: kernel, input: encode(tf.tensor(x, inputShape)), activations, label, source,
  };

}

/** One input for a model: an image file resized to its input, or the N-th example of its test split. */
export async function loadExample(m: InspectableModel, r: Pick<InspectRequest, 'file' | 'image' | 'sample' | 'dataDir'>, shape: [number, number, number]) {
  const { spec } = m.loaded;
  if (r.image) {
    const normalization = spec.data ? normalizationFor(spec.data.source, spec.data.normalize, spec.data) : 'unit';
    return { x: await readImageFile(r.image, shape, normalization), label: undefined, source: r.image };
  }
  // A model without its own train section (AlexNet, the base of a 2-class model) shows the
  // images of a model derived from it or built on it; its head need not match them to show feature maps.
  const data = await openTrainingData(m.loaded.graph, { ...spec, data: spec.data ?? derivedData(m.loaded), validation: { kind: 'none' } }, { file: r.file, dataDir: r.dataDir, anyHead: true });
  const wanted = r.sample ?? 0;
  if (wanted >= data.test.count) throw new ModelFileError(`--sample ${wanted}: the test split has ${data.test.count} examples`);
  let seen = 0;
  for await (const batch of data.test.batches(256)) {
    if (wanted < seen + batch.count) {
      const k = wanted - seen;
      const size = shape[0] * shape[1] * shape[2];
      const labelIndex = batch.labels[k]!;
      return { x: batch.x.slice(k * size, (k + 1) * size), label: { index: labelIndex, name: data.event.classes[labelIndex]! }, source: `${data.event.name} test example ${wanted}` };
    }
    seen += batch.count;
  }
  throw new ModelFileError(`--sample ${wanted}: not found in the test split`);
}

/** The data of the first train section whose model is made from this one (`model B = A(…)`, or a base `pretrained A weights …`). */
export function derivedData(loaded: LoadedModel): LoadedModel['spec']['data'] {
  const { analysis, graph } = loaded;
  const madeFrom = (name: string): boolean => {
    for (let decl = analysis.modelDecls.get(name), hops = 0; decl && hops <= analysis.modelDecls.size; hops++) {
      if (decl.name.name === graph.name) return true;
      decl = decl.instanceOf ? analysis.modelDecls.get(decl.instanceOf.callee.name) : undefined;
    }
    return false;
  };
  const onBase = (name: string) => analysis.models.find((m) => m.name === name)?.stateDictBases?.some((b) => b.model === graph.name) === true;
  return analysis.trains.find((t) => t.data && (madeFrom(t.model) || onBase(t.model)))?.data;
}

/** The kernel of a convolution node: [kh, kw, in, out] (grouped convolutions are joined per group). */
function kernelOf(compiled: CompiledModel, name: string): EncodedArray | undefined {
  const layers = compiled.model.layers.filter((l) => l.name === name || l.name.startsWith(`${name}.g`));
  const kernels = layers.flatMap((l) => l.getWeights().filter((w, i) => i === 0 && w.rank === 4));
  if (kernels.length === 0) return undefined;
  const joined = kernels.length === 1 ? kernels[0]! : tf.concat(kernels, 3);
  const encoded = encode(joined);
  if (kernels.length > 1) joined.dispose();
  return encoded;
}

export function encode(tensor: tf.Tensor): EncodedArray {
  return encodeFloat32(tensor.dataSync() as Float32Array, tensor.shape);
}
