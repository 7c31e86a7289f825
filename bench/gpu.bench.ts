/**
 * GPU training against the best CPU backend, in the same run: LeNet-5 on MNIST-shaped batches,
 * and the GoogLeNet and ResNet-18 CIFAR-10 samples on CIFAR-shaped batches (seeded random
 * pixels: throughput does not depend on the values), a fixed number of batches each.
 * Run: npm run bench:gpu [-- --batches N]. Without a GPU it says why and measures the CPU alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyze } from '../src/language/passes/analyze';
import type { BackendName } from '../src/protocol/engine';
import { selectBackend } from '../src/engine/backends/select-backend';
import { measureThroughput } from '../src/engine/training/throughput';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '20' } } });
const batches = Number(values.batches);

const cases = [
  { file: 'lenet5.cnn', model: 'LeNet5', batch: 64 },
  { file: 'googlenet.cnn', model: 'GoogLeNetCifar', batch: 32 },
  { file: 'resnet18.cnn', model: 'ResNet18Cifar', batch: 32 },
];

async function backendIfAvailable(name: BackendName): Promise<string | undefined> {
  try {
    return (await selectBackend({ force: name })).reason;
  } catch (error) {
    console.log(`${name}: unavailable (${(error as Error).message})`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const cpu = (await backendIfAvailable('native')) ? 'native' : 'wasm';
  const gpu = (await backendIfAvailable('cuda')) ? 'cuda' : (await backendIfAvailable('webgpu')) ? 'webgpu' : undefined;
  for (const { file, model, batch } of cases) {
    const graph = analyze(readFileSync(join(__dirname, '..', 'samples', file), 'utf8')).models.find((m) => m.name === model)!;
    const results: string[] = [];
    let gpuRate: number | undefined;
    let cpuRate = 0;
    for (const backend of [gpu, cpu].filter((b): b is BackendName => b !== undefined)) {
      await selectBackend({ force: backend });
      const { imagesPerSecond } = await measureThroughput(graph, { batch, batches });
      if (backend === gpu) gpuRate = imagesPerSecond;
      else cpuRate = imagesPerSecond;
      results.push(`${backend} ${imagesPerSecond.toFixed(1)} images/s`);
    }
    const ratio = gpuRate === undefined ? 'no GPU' : `GPU/CPU ${(gpuRate / cpuRate).toFixed(2)}×`;
    console.log(`${model} (batch ${batch}, ${batches} batches): ${results.join(' · ')} · ${ratio}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
