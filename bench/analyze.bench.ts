/**
 * How fast the analyzer re-reads a model after a keystroke: ResNet-50 (target under 10 ms on
 * our 2-core CI machines), the ants/bees sample with its 119-layer pretrained base (model.json
 * read from disk each time, as the engine does; the language server also caches it), and the
 * slowest of the fuzz suite's inputs.
 * Run: npm run bench:analyze [-- --runs N]
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { baseModelReader } from '../src/engine/model/base-location';
import { analyze, type AnalyzeOptions } from '../src/language/passes/analyze';
import { mutatedSample, tokenSoup } from '../test/language/fuzz';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '300' }, fuzz: { type: 'string', default: '10000' } } });
const runs = Number(values.runs);

function timeOne(text: string, options?: AnalyzeOptions): number {
  const start = process.hrtime.bigint();
  analyze(text, options);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const resnet = readFileSync(join(__dirname, '..', 'samples', 'resnet50.cnn'), 'utf8');
for (let i = 0; i < 50; i++) timeOne(resnet);
// A keystroke changes the text: alternate two versions so no cache could help.
const edited = resnet.replace('layer3: stage(256, 6, 2)', 'layer3: stage(256, 6, 2) ');
const times = Array.from({ length: runs }, (_, i) => timeOne(i % 2 ? edited : resnet)).sort((a, b) => a - b);
console.log(`resnet50.cnn re-analysis over ${runs} runs: median ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms (target < 10 ms)`);

const transferFile = join(__dirname, '..', 'samples', 'transfer-ants-bees.cnn');
const transfer = readFileSync(transferFile, 'utf8');
const withBase = { readBaseModel: baseModelReader(transferFile) };
const transferTimes = Array.from({ length: runs }, (_, i) => timeOne(i % 2 ? `${transfer} ` : transfer, withBase)).sort((a, b) => a - b);
console.log(`transfer-ants-bees.cnn (a 119-layer base) re-analysis over ${runs} runs: median ${percentile(transferTimes, 0.5).toFixed(2)} ms, p95 ${percentile(transferTimes, 0.95).toFixed(2)} ms`);

const samples = [...fc.sample(tokenSoup, { numRuns: Number(values.fuzz) * 0.4, seed: 1 }), ...fc.sample(mutatedSample, { numRuns: Number(values.fuzz) * 0.6, seed: 1 })];
let slowest = { ms: 0, length: 0 };
for (const text of samples) {
  const ms = timeOne(text);
  if (ms > slowest.ms) slowest = { ms, length: text.length };
}
console.log(`slowest of ${samples.length} fuzz inputs: ${slowest.ms.toFixed(2)} ms (${slowest.length} characters)`);
