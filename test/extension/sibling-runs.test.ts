import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { comparedRuns, readGradientFlow } from '../../src/extension/runs/gradient-flow-runs';
import { siblingRuns } from '../../src/extension/runs/sibling-runs';
import type { GradientFlowEvent, StartEvent } from '../../src/protocol/engine';

const runs = mkdtempSync(join(tmpdir(), 'convlab-siblings-'));

function run(name: string, model: string, file: string, flow?: GradientFlowEvent[]): string {
  const dir = join(runs, name);
  mkdirSync(dir);
  const start: StartEvent = { type: 'start', runDir: dir, model, file, params: { total: 1, trainable: 1, nonTrainable: 0 }, epochs: 1, batchSize: 1 };
  writeFileSync(join(dir, 'metrics.jsonl'), `${JSON.stringify(start)}\n`);
  if (flow) writeFileSync(join(dir, 'gradient-flow.jsonl'), flow.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return dir;
}

const event = (step: number): GradientFlowEvent => ({ type: 'gradientFlow', epoch: 1, batch: step, step, layers: [{ name: 'C1', line: 3, gradientNorm: 0.5, weightNorm: 2, updateRatio: 0.01 }] });
const plain56 = run('Plain56-20250101-120000', 'Plain56', '/m/vanishing.cnn', [event(1)]);
run('Plain20-20250101-100000', 'Plain20', '/m/vanishing.cnn', [event(1)]);
const plain20 = run('Plain20-20250101-110000', 'Plain20', '/m/vanishing.cnn', [event(1), event(21)]);
const resnet56 = run('ResNet56-20250101-090000', 'ResNet56', '/m/vanishing.cnn');
run('Plain56-20250101-080000', 'Plain56', '/m/vanishing.cnn');
run('LeNet5-20250101-130000', 'LeNet5', '/m/lenet5.cnn', [event(1)]);

test('the newest run of each other model of the same file, newest first', () => {
  assert.deepEqual(siblingRuns(plain56), [plain20, resnet56]);
  assert.deepEqual(siblingRuns(plain20), [plain56, resnet56]);
});

test('the gradient-flow view compares only runs that recorded it', () => {
  const compared = comparedRuns(plain56, () => false);
  assert.deepEqual(compared.map((r) => [r.model, r.runDir, r.events.map((e) => e.step), r.file]), [['Plain20', plain20, [1, 21], '/m/vanishing.cnn']]);
});

test('a torn or broken line of gradient-flow.jsonl is named and skipped', () => {
  const dir = run('Torn-20250101-140000', 'Torn', '/m/torn.cnn', [event(1)]);
  appendFileSync(join(dir, 'gradient-flow.jsonl'), '{"type":"gradientFlow","epoch":1,"batch":2,"step":"two","layers":[]}\n{"type":"gradient');
  const problems: string[] = [];
  assert.deepEqual(readGradientFlow(dir, problems).map((e) => e.step), [1]);
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /gradient-flow\.jsonl:2: .*step/);
  assert.match(problems[1]!, /gradient-flow\.jsonl:3: not JSON/);
});
