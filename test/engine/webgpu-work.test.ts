// The GPU work of one ResNet18Cifar training step (batch 1, on SwiftShader in CI), counted:
// dispatches and read-backs cost far more than their arithmetic on a big GPU, so they may only
// shrink. When a change cuts them, lower the pinned figures to the new count.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { countTrainingStep } from '../../src/engine/training/step-work';
import { useWebgpu } from './webgpu-backend';

/**
 * Counted 2026-12-04 with our kernels, the fused Adam update (small variables packed into one
 * dispatch) and the fused batchnorm training kernels, on the first step, which also creates
 * Adam's slots (2,196 before the fused update, 1,514 before the batchnorm kernels, 724 before
 * the packing); one step only, as SwiftShader needs a minute for it.
 */
const PINNED = { dispatches: 593, readBacks: 1 };

test('one ResNet18Cifar training step does not grow in dispatches or read-backs', { timeout: 600_000 }, async (t) => {
  if (!(await useWebgpu(t))) return;
  const source = readFileSync(join(__dirname, '..', '..', 'bench', 'networks', 'resnet18.cnn'), 'utf8');
  const graph = analyze(source).models.find((m) => m.name === 'ResNet18Cifar')!;
  const { first } = await countTrainingStep(graph, 1, false);
  t.diagnostic(`ResNet18Cifar first step: ${first.dispatches} dispatches, ${first.readBacks} read-backs, ${first.submits} submits, ${first.copies} buffer copies`);
  assert.ok(first.dispatches <= PINNED.dispatches, `${first.dispatches} dispatches, more than the ${PINNED.dispatches} pinned`);
  assert.ok(first.readBacks <= PINNED.readBacks, `${first.readBacks} read-backs, more than the ${PINNED.readBacks} pinned`);
});
