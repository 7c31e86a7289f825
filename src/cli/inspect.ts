import { writeFileSync } from 'node:fs';
import { inspectLayer, loadInspectable } from '../engine/explanation/feature-maps';
import { decodeFloat32 as decode } from '../protocol/encoded-array';
import { mapGridPng } from '../engine/explanation/map-grid';
import type { EncodedArray, InspectRequest } from '../protocol/inspect';

/** `convlab inspect`: a layer's filters and feature maps, as JSON or as a short report. */
export async function runInspect(request: InspectRequest, json: boolean, out: (text: string) => void, picture?: string): Promise<number> {
  const model = await loadInspectable(request);
  try {
    const result = await inspectLayer(model, request);
    if (picture) {
      // The pictures the assignment's question 8 plots: every feature map, and the filters of a convolution.
      writeFileSync(picture, mapGridPng(decode(result.activations), result.activations.shape));
      if (result.filters) writeFileSync(filtersPath(picture), mapGridPng(decode(result.filters), result.filters.shape, 8));
    }
    if (json) {
      out(JSON.stringify(result));
      return 0;
    }
    const lines = [
      `${result.model} · ${result.layer} (${result.type}) · weights: ${result.weights}`,
      `input: ${result.source}${result.label ? ` (label ${result.label.index}: ${result.label.name})` : ''}`,
    ];
    if (result.filters) {
      const [kh, kw, inChannels, count] = result.filters.shape;
      lines.push(`filters: ${count} of ${kh}×${kw}×${inChannels}, values ${range(result.filters)}`);
    }
    const shape = result.activations.shape;
    lines.push(`activations: ${shape.join('×')}, values ${range(result.activations)}`);
    if (shape.length === 3) lines.push(...channelStats(result.activations));
    if (picture) lines.push(`pictures: ${picture}${result.filters ? `, ${filtersPath(picture)}` : ''}`);
    out(lines.join('\n'));
    return 0;
  } finally {
    model.compiled.model.dispose();
  }
}

function filtersPath(picture: string): string {
  return `${picture.replace(/\.png$/i, '')}-filters.png`;
}

function range(array: EncodedArray): string {
  return `${array.min.toFixed(4)} to ${array.max.toFixed(4)}`;
}

/** Mean and maximum of each feature map, the numbers a student compares between filters. */
function channelStats(array: EncodedArray): string[] {
  const values = decode(array);
  const [h, w, channels] = array.shape as [number, number, number];
  const rows: string[] = [];
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let max = -Infinity;
    for (let p = 0; p < h * w; p++) {
      const v = values[p * channels + c]!;
      sum += v;
      if (v > max) max = v;
    }
    rows.push(`  map ${c}: mean ${(sum / (h * w)).toFixed(4)}, max ${max.toFixed(4)}`);
  }
  return rows;
}
