import { exampleFor, explainFlow, type Example } from '../engine/explanation/forward-flow';
import type { InspectableModel } from '../engine/explanation/feature-maps';
import { explainUnit } from '../engine/explanation/unit-explanation';
import type { ExplainFlow, ExplainRequest, ServeEngineRequest, UnitExplanation } from '../protocol/explain';

type ExplainMethod = Extract<ServeEngineRequest, { method: 'explain' | 'explainUnit' }>;

/**
 * The last input read for each model: a click on a value asks for its sum with the same image,
 * and reading a dataset example again would cost more than the sum.
 */
export class ExampleCache {
  private readonly last = new WeakMap<InspectableModel, { key: string; example: Promise<Example> }>();

  get(model: InspectableModel, request: ExplainRequest): Promise<Example> {
    const key = JSON.stringify([request.image ?? null, request.image ? null : (request.sample ?? 0), request.dataDir ?? null]);
    const kept = this.last.get(model);
    if (kept?.key === key) return kept.example;
    const example = exampleFor(model, request);
    this.last.set(model, { key, example });
    // A failed read is not kept: the next request reads again.
    example.catch(() => this.last.delete(model));
    return example;
  }
}

/** `explain` (the forward pass) and `explainUnit` (one value's sum) on a loaded model. */
export async function explainRequest(model: InspectableModel, examples: ExampleCache, request: ExplainMethod): Promise<ExplainFlow | UnitExplanation> {
  const example = await examples.get(model, request.params);
  return request.method === 'explain' ? explainFlow(model, example, request.params.run) : explainUnit(model, example, request.params);
}
