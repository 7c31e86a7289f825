/**
 * "Explain an image", first half: one input's way through a model, every layer's values as the
 * columns of the view, and the prediction that ends it (calibrated when the run holds a
 * temperature). The sums behind any one value are unit-explanation.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerNode } from '../../language/layer-graph';
import { layerNames, layerType } from '../../language/passes/summarize';
import { CALIBRATION_FILE, RunCalibrationSchema } from '../../protocol/calibration-file';
import { encodeFloat32 } from '../../protocol/encoded-array';
import type { ExplainFlow, ExplainRequest, FlowLayer, Prediction } from '../../protocol/explain';
import { checkMessage } from '../../protocol/validate';
import { runClassNames } from './run-classes';
import { ModelFileError } from '../model/model-file';
import { loadExample, type InspectableModel } from './feature-maps';
import { explainerOf } from './unit-explanation';
import { logitsOf, nodeValues, softmax } from './node-values';

/** A layer's column carries at most this many values (its first channels); the rest stay in the engine. */
const MAX_VALUES_PER_LAYER = 200_000;
const MAX_CHANNELS = 64;

export type Example = Awaited<ReturnType<typeof loadExample>>;

/** The model's image input and one example for it, or an error that says why there is none. */
export async function exampleFor(model: InspectableModel, request: ExplainRequest): Promise<Example> {
  const shape = model.loaded.graph.nodes[0]!.outputShape;
  if (!shape || shape.length !== 3) throw new ModelFileError(`model ${model.loaded.graph.name} takes vectors, not images: there is no image to explain`);
  return loadExample(model, request, shape as [number, number, number]);
}

export function explainFlow(model: InspectableModel, example: Example, run?: string): ExplainFlow {
  const { graph, analysis } = model.loaded;
  const names = layerNames(graph);
  const shown = graph.nodes.filter((n) => n.op !== 'input' && n.outputShape !== null);
  const values = nodeValues(model, example.x, shown.map((n) => n.id));
  const layers: FlowLayer[] = shown.map((node) => {
    const { values: v, shape } = values.get(node.id)!;
    const { data, channelsShown } = firstChannels(v, shape);
    const explainer = explainerOf(node);
    return {
      name: names[node.id]!, type: layerType(node), outputShape: shape, channelsShown,
      activations: encodeFloat32(data, shape.length === 3 ? [shape[0]!, shape[1]!, channelsShown] : [channelsShown]),
      line: analysis.lines.position(node.span.start).line,
      ...('kind' in explainer ? { explains: explainer.kind } : { unexplained: explainer.why }),
    };
  });
  const inputShape = graph.nodes[0]!.outputShape!;
  return {
    kind: 'flow', model: graph.name, weights: model.weights, source: example.source, ...(example.label ? { label: example.label } : {}),
    input: encodeFloat32(example.x, inputShape), layers, ...predictionOf(model, example.x, run),
  };
}

/** The first channels of a layer's values, few enough to send. */
function firstChannels(values: Float32Array, shape: readonly number[]): { data: Float32Array; channelsShown: number } {
  if (shape.length !== 3) {
    const count = Math.min(values.length, MAX_VALUES_PER_LAYER);
    return { data: values.subarray(0, count), channelsShown: count };
  }
  const [h, w, c] = shape as [number, number, number];
  const keep = Math.max(1, Math.min(c, MAX_CHANNELS, Math.floor(MAX_VALUES_PER_LAYER / (h * w))));
  if (keep === c) return { data: values, channelsShown: c };
  const data = new Float32Array(h * w * keep);
  for (let p = 0; p < h * w; p++) data.set(values.subarray(p * c, p * c + keep), p * keep);
  return { data, channelsShown: keep };
}

/** The classes by probability, when the model's main output is a vector of class scores. */
function predictionOf(model: InspectableModel, x: Float32Array, run: string | undefined): { prediction?: Prediction } {
  const { graph } = model.loaded;
  const output: LayerNode = graph.nodes[graph.outputs[0]!.node]!;
  if (output.outputShape?.length !== 1) return {};
  const scores = logitsOf(model, x, output.id);
  // Logits unless the model ends in an activation of its own that is not softmax (then they are already its outputs).
  const isLogits = model.compiled.outputKinds[0] === 'logits';
  const calibration = isLogits ? runTemperature(run) : { temperature: 1, calibrated: false, calibration: 'the model\'s outputs are not logits: shown as they are' };
  const probabilities = isLogits ? softmax(scores, calibration.temperature) : scores;
  const classNames = run ? runClassNames(run, scores.length, 'explain') : undefined;
  const ranked = Array.from(probabilities, (probability, index) => ({ index, name: classNames?.[index] ?? String(index), probability })).sort((a, b) => b.probability - a.probability);
  return { prediction: { ranked, ...calibration } };
}

function runTemperature(run: string | undefined): Pick<Prediction, 'temperature' | 'calibrated' | 'calibration'> {
  if (!run) return { temperature: 1, calibrated: false, calibration: 'not calibrated: initial weights, no run' };
  const path = join(run, CALIBRATION_FILE);
  if (!existsSync(path)) return { temperature: 1, calibrated: false, calibration: `not calibrated: the run has no ${CALIBRATION_FILE} (convlab eval writes it)` };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { temperature: 1, calibrated: false, calibration: `not calibrated: ${path} is not JSON (${(error as Error).message})` };
  }
  const checked = checkMessage(RunCalibrationSchema, raw);
  if (!checked.ok) return { temperature: 1, calibrated: false, calibration: `not calibrated: ${path}: ${checked.error}` };
  return { temperature: checked.value.temperature, calibrated: true, calibration: `temperature ${checked.value.temperature.toFixed(3)}, fitted on the ${checked.value.fittedOn}` };
}
