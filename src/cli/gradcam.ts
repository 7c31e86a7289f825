import { writeFileSync } from 'node:fs';
import { gradCam } from '../engine/explanation/grad-cam';
import { gradCamPng } from '../engine/explanation/heatmap-image';
import { encode, loadExample, loadInspectable } from '../engine/explanation/feature-maps';
import { runClassNames } from '../engine/explanation/run-classes';
import { tf } from '../engine/backends/tf';
import type { GradCamResult } from '../protocol/gradcam';
import type { EncodedArray, InspectRequest } from '../protocol/inspect';

export interface GradCamRequest extends Omit<InspectRequest, 'layer'> {
  layer?: string;
  classIndex?: number;
  out?: string;
}

/** `convlab gradcam`: where the model looked for a class, as a PNG overlay and numbers. */
export async function runGradCam(request: GradCamRequest, json: boolean, out: (text: string) => void): Promise<number> {
  const model = await loadInspectable(request);
  try {
    const shape = model.loaded.graph.nodes[0]!.outputShape! as [number, number, number];
    const example = await loadExample(model, request, shape);
    const cam = gradCam(model.loaded.graph, model.compiled, example.x, { layer: request.layer, classIndex: request.classIndex });
    if (request.out) writeFileSync(request.out, gradCamPng(example.x, shape, cam.heatmap, cam.height, cam.width));
    const classes = model.loaded.graph.nodes[model.loaded.graph.outputs[0]!.node]!.outputShape![0]!;
    const classNames = request.run ? runClassNames(request.run, classes, 'gradcam') : undefined;
    const result: Omit<GradCamResult, 'input'> = {
      model: model.loaded.graph.name, layer: cam.layer, weights: model.weights, source: example.source, label: example.label,
      classIndex: cam.classIndex, probability: cam.probabilities[cam.classIndex]!, probabilities: Array.from(cam.probabilities),
      heatmap: { height: cam.height, width: cam.width, values: Array.from(cam.heatmap, (v) => Math.round(v * 1000) / 1000) }, png: request.out, classes,
      ...(classNames ? { classNames } : {}),
    };
    // The JSON carries the input as the model saw it, so a view can draw the overlay itself at any opacity.
    if (json) out(JSON.stringify({ ...result, input: encodeInput(example.x, shape) } satisfies GradCamResult));
    else {
      out([
        `${result.model} · Grad-CAM of ${result.layer} (${cam.height}×${cam.width}) · weights: ${result.weights}`,
        `input: ${result.source}${example.label ? ` (label ${example.label.name})` : ''}`,
        `class ${cam.classIndex}: probability ${(result.probability * 100).toFixed(2)}%`,
        request.out ? `wrote ${request.out}` : 'give --out FILE.png for the picture',
      ].join('\n'));
    }
    return 0;
  } finally {
    model.compiled.model.dispose();
  }
}

function encodeInput(x: Float32Array, shape: [number, number, number]): EncodedArray {
  const tensor = tf.tensor(x, shape);
  try {
    return encode(tensor);
  } finally {
    tensor.dispose();
  }
}
