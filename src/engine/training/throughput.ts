import type { ModelGraph } from '../../language/layer-graph';
import { compileModel } from '../model/compile';
import { seededRandom } from '../data/random';
import { makeOptimizer } from './optimizers';
import { TrainingStep } from './step';

export interface ThroughputOptions {
  batch: number;
  /** Timed batches, after `warmUp` untimed ones (kernel compilation, allocation). */
  batches: number;
  warmUp?: number;
  seed?: number;
}

/**
 * Training images per second of a model on the current backend, on seeded random batches of
 * its input shape: a model's speed without reading a dataset (benchmarks, time estimates).
 */
export async function measureThroughput(graph: ModelGraph, options: ThroughputOptions): Promise<{ imagesPerSecond: number; seconds: number }> {
  const compiled = compileModel(graph, { seed: options.seed ?? 1 });
  const optimizer = makeOptimizer({ name: 'adam', lr: 0.001, momentum: 0, nesterov: false, decay: 0, beta1: 0.9, beta2: 0.999 });
  const output = graph.nodes[graph.outputs[0]!.node]!.outputShape;
  const classCount = output && output.length === 1 ? output[0]! : 10;
  const step = new TrainingStep(compiled, optimizer, {
    kinds: compiled.outputKinds, lossWeights: compiled.lossWeights, classCount, labelSmoothing: 0, weightDecay: 0,
  });
  const input = graph.nodes[0]!.outputShape!;
  const random = seededRandom(options.seed ?? 1);
  const x = Float32Array.from({ length: options.batch * input.reduce((a, b) => a * b, 1) }, () => random());
  const labels = Int32Array.from({ length: options.batch }, () => Math.floor(random() * classCount));
  try {
    for (let i = 0; i < (options.warmUp ?? 3); i++) await step.run(x, labels, options.batch);
    const started = performance.now();
    for (let i = 0; i < options.batches; i++) await step.run(x, labels, options.batch);
    const seconds = (performance.now() - started) / 1000;
    return { imagesPerSecond: (options.batch * options.batches) / seconds, seconds };
  } finally {
    compiled.model.dispose();
    optimizer.dispose();
  }
}
