/**
 * Transfer learning against training from scratch (the assignment's question 4): the ants/bees
 * sample, once as written (the shipped MobileNetV2 base frozen, a new head, then fine-tuning)
 * and once as the same network with fresh weights (`scratch`), on the same data, with the same
 * augmentation, batch size, seed and number of epochs. Both report validation accuracy at their
 * best checkpoint and at the end; the last line is `transfer X% vs scratch Y%` (best).
 * Run: npm run bench:transfer -- --data-dir ../shared/data
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { train } from '../src/engine/training/trainer';
import type { EngineEvent, EpochEndEvent } from '../src/protocol/engine';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string', default: join(__dirname, '..', '..', 'shared', 'data') }, workers: { type: 'string', default: '2' } } });
const samples = join(__dirname, '..', 'samples');
const sample = readFileSync(join(samples, 'transfer-ants-bees.cnn'), 'utf8');

/** The same network and recipe without the learned weights: every epoch at the first stage's learning rate. */
function fromScratch(text: string): string {
  const epochs = Number(/^\s*epochs (\d+)/m.exec(text)![1]) + Number(/finetune epochs (\d+)/.exec(text)![1]);
  const scratch = text
    .replace(/ freeze all/, ' scratch')
    .replace(/^\s*finetune .*\n/m, '')
    .replace(/^(\s*)epochs \d+/m, `$1epochs ${epochs}`)
    .replace(/"backbones\//, `"${samples}/backbones/`);
  const code = scratch.replace(/#.*$/gm, '');
  if (code.includes('freeze') || code.includes('finetune') || !code.includes(' scratch')) throw new Error('the sample changed shape: update fromScratch()');
  return scratch;
}

async function run(name: string, text: string): Promise<{ best: number; last: number; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), `convlab-${name}-`));
  const file = join(dir, `${name}.cnn`);
  writeFileSync(file, text.replace(/"backbones\//, `"${samples}/backbones/`));
  const epochs: EpochEndEvent[] = [];
  const onEvent = (event: EngineEvent) => {
    if (event.type === 'epochEnd') {
      epochs.push(event);
      console.error(`${name} epoch ${event.epoch}/${event.epochs}: val acc ${((event.valAccuracy ?? NaN) * 100).toFixed(1)}%`);
    }
    if (event.type === 'stage') console.error(`${name} stage ${event.stage} (${event.name}): ${event.params.trainable.toLocaleString('en-US')} trainable`);
  };
  const done = await train({ file, dataDir: values['data-dir'], runsDir: join(dir, 'runs'), workers: Number(values.workers), onEvent });
  if (done.type !== 'done') throw new Error(`${name} did not finish`);
  const accuracies = epochs.map((e) => e.valAccuracy!);
  return { best: Math.max(...accuracies), last: accuracies[accuracies.length - 1]!, seconds: done.trainingSeconds };
}

async function main(): Promise<void> {
  const transfer = await run('transfer', sample);
  const scratch = await run('scratch', fromScratch(sample));
  const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`transfer (frozen MobileNetV2 base, new head, then fine-tuning): best validation accuracy ${percent(transfer.best)}, last ${percent(transfer.last)}, ${transfer.seconds.toFixed(0)} s of training`);
  console.log(`scratch (the same network, fresh weights, the same epochs): best validation accuracy ${percent(scratch.best)}, last ${percent(scratch.last)}, ${scratch.seconds.toFixed(0)} s of training`);
  console.log(`transfer ${percent(transfer.best)} vs scratch ${percent(scratch.best)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
