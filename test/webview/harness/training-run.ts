import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readEngineLine } from '../../../src/extension/jobs/engine-events';
import type { EngineEvent } from '../../../src/protocol/engine';
import type { InspectResult } from '../../../src/protocol/inspect';
import { saveBase, writeTransferModel } from '../../fixtures/tiny-base';
import { repoRoot } from './browser';

const run = promisify(execFile);
const cli = join(repoRoot, 'bin', 'convlab.js');

export interface TrainedLeNet {
  file: string;
  runDir: string;
  /** Every event of `convlab train --json`, in order. */
  events: EngineEvent[];
  /** `convlab inspect --layer C1 --json` on the trained weights. */
  c1: InspectResult;
}

/**
 * Real engine output for the dashboard and feature-map tests: LeNet-5 trained by the built CLI
 * (by default for 2 epochs on 2,000 MNIST images: a few seconds), then its C1 inspected. The sample's train
 * section says `validation none`; this copy holds out 10% so the dashboard has validation curves.
 */
export async function trainLeNet(options: { epochs?: number; limit?: number } = {}): Promise<TrainedLeNet> {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-webview-'));
  const file = join(dir, 'lenet5.cnn');
  writeFileSync(file, readFileSync(join(repoRoot, 'samples', 'lenet5.cnn'), 'utf8').replace('validation none', 'validation 0.1'));
  const train = await run(process.execPath, [cli, 'train', file, '--json', '--epochs', String(options.epochs ?? 2), '--limit', String(options.limit ?? 2000), '--runs-dir', join(dir, 'runs')], { maxBuffer: 64 << 20 });
  const events = engineEvents(train.stdout);
  const done = events.at(-1);
  if (done?.type !== 'done') throw new Error(`training did not finish: ${train.stdout.slice(-500)}${train.stderr}`);
  const inspect = await run(process.execPath, [cli, 'inspect', file, '--layer', 'C1', '--run', done.runDir, '--json'], { maxBuffer: 64 << 20 });
  return { file, runDir: done.runDir, events, c1: JSON.parse(inspect.stdout) as InspectResult };
}

/** Stdout of `convlab train --json` read by the extension's own reader: a line it drops fails the test. */
export function engineEvents(stdout: string): EngineEvent[] {
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const read = readEngineLine(line);
    if (read.kind !== 'event') throw new Error(`the extension would drop this engine line: ${line}${read.kind === 'invalid' ? ` (${read.error})` : ''}`);
    return read.event;
  });
}

/**
 * A real two-stage transfer run by the built CLI: a small saved base (test/fixtures/tiny-base.ts),
 * its head trained for an epoch on the frozen base, then fine-tuned with the base unfrozen.
 */
export async function trainTransfer(): Promise<{ runDir: string; events: EngineEvent[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-webview-transfer-'));
  await saveBase(join(dir, 'base'));
  const file = writeTransferModel(dir, 320, '0.1');
  const train = await run(process.execPath, [cli, 'train', file, '--json', '--runs-dir', join(dir, 'runs')], { maxBuffer: 64 << 20 });
  const events = engineEvents(train.stdout);
  const done = events.at(-1);
  if (done?.type !== 'done') throw new Error(`training did not finish: ${train.stdout.slice(-500)}${train.stderr}`);
  return { runDir: done.runDir, events };
}
