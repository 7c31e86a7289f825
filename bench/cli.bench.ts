/**
 * `convlab summary samples/resnet50.cnn` from start to exit against `node -e 0`, the peer
 * measured in the same run: interleaved so that load on the machine hits both alike, medians
 * of `--runs` each (at least 10). The target: the difference under 150 ms, which holds only
 * while summary loads no TensorFlow.js (src/cli/main.ts imports the model-running commands
 * when they are called).
 * Run: npm run bench:cli [-- --runs N]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Math.max(10, Number(values.runs));
const root = join(__dirname, '..');
const summary = [join(root, 'bin', 'convlab.js'), 'summary', join(root, 'samples', 'resnet50.cnn')];
const peer = ['-e', '0'];

function timeOne(args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr.toString()}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// One of each first, unmeasured: the file cache warm for both.
timeOne(summary);
timeOne(peer);
const times = { summary: [] as number[], peer: [] as number[] };
for (let i = 0; i < runs; i++) {
  times.summary.push(timeOne(summary));
  times.peer.push(timeOne(peer));
}
const [s, p] = [median(times.summary), median(times.peer)];
console.log(`convlab summary samples/resnet50.cnn: median ${s.toFixed(0)} ms over ${runs} runs (min ${Math.min(...times.summary).toFixed(0)})`);
console.log(`node -e 0:                            median ${p.toFixed(0)} ms over ${runs} runs (min ${Math.min(...times.peer).toFixed(0)})`);
console.log(`difference: ${(s - p).toFixed(0)} ms (target under 150 ms); ratio ${(s / p).toFixed(2)}×`);
