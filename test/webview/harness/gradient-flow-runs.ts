// The two networks of samples/vanishing-gradients.cnn's first lesson, trained for real (MNIST,
// 200 batches of 16, the engine's default backend), shared by the engine test and the view test.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { train } from '../../../src/engine/training/trainer';
import type { GradientFlowEvent } from '../../../src/protocol/engine';
import { RUN_FILES } from '../../../src/protocol/run-folder';

export const SAMPLE = resolve(__dirname, '..', '..', '..', 'samples', 'vanishing-gradients.cnn');

export interface FlowRun {
  model: string;
  runDir: string;
  /** As recorded in the run folder's gradient-flow.jsonl. */
  recorded: GradientFlowEvent[];
  /** As sent while training. */
  sent: GradientFlowEvent[];
}

export async function trainSigmoidRun(model: 'SigmoidPlain' | 'SigmoidResidual', runsDir = mkdtempSync(join(tmpdir(), 'convlab-flow-'))): Promise<FlowRun> {
  const sent: GradientFlowEvent[] = [];
  const done = await train({
    file: SAMPLE, model, limit: 3200, batch: 16, epochs: 1, seed: 7, runsDir, gradientFlowInterval: 20,
    onEvent: (event) => {
      if (event.type === 'gradientFlow') sent.push(event);
    },
  });
  if (done.type !== 'done') throw new Error(`${model} did not finish training`);
  const recorded = readFileSync(join(done.runDir, RUN_FILES.gradientFlow), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as GradientFlowEvent);
  return { model, runDir: done.runDir, recorded, sent };
}
