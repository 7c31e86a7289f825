// One training step of a model on random data, counted (gpu-work.ts): what the benchmark prints
// and the test that keeps ResNet18Cifar's dispatches and read-backs from growing share.
import type { ModelGraph } from '../../language/layer-graph';
import { compileModel } from '../model/compile';
import { countGpuWork, type GpuWork } from '../backends/gpu-work';
import { makeOptimizer } from './optimizers';
import { TrainingStep } from './step';

/** The first step (optimizer slots included) and, unless `steady` is false, a second, steady one. */
export async function countTrainingStep(graph: ModelGraph, batch: number, steady = true): Promise<{ first: GpuWork; steady?: GpuWork }> {
  const compiled = compileModel(graph, { seed: 1 });
  const optimizer = makeOptimizer({ name: 'adam', lr: 0.001, momentum: 0, nesterov: false, decay: 0, beta1: 0.9, beta2: 0.999 });
  const output = graph.nodes[graph.outputs[0]!.node]!.outputShape;
  const classCount = output && output.length === 1 ? output[0]! : 10;
  const step = new TrainingStep(compiled, optimizer, { kinds: compiled.outputKinds, lossWeights: compiled.lossWeights, classCount, labelSmoothing: 0, weightDecay: 0 });
  const input = graph.nodes[0]!.outputShape!;
  const x = new Float32Array(batch * input.reduce((a, b) => a * b, 1)).fill(0.5);
  const labels = Int32Array.from({ length: batch }, (_, i) => i % classCount);
  try {
    const first = (await countGpuWork(() => step.run(x, labels, batch))).work;
    if (!steady) return { first };
    return { first, steady: (await countGpuWork(() => step.run(x, labels, batch))).work };
  } finally {
    compiled.model.dispose();
    optimizer.dispose();
  }
}
