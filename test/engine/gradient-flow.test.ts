import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GradientFlowEventSchema } from '../../src/protocol/engine';
import { trainSigmoidRun, type FlowRun } from './gradient-flow-runs';

/** First weighted layer's gradient norm over the last one's, the median over a run's records. */
function firstOverLast(run: FlowRun): number {
  const ratios = run.recorded.map((event) => {
    const weighted = event.layers.filter((l) => l.gradientNorm !== undefined);
    return weighted[0]!.gradientNorm! / weighted.at(-1)!.gradientNorm!;
  }).sort((a, b) => a - b);
  return ratios[Math.floor(ratios.length / 2)]!;
}

test('a deep plain sigmoid network starves its first layer of gradient; shortcuts feed it', async (t) => {
  const plain = await trainSigmoidRun('SigmoidPlain');
  const residual = await trainSigmoidRun('SigmoidResidual');
  for (const run of [plain, residual]) {
    // 200 batches, recorded at step 1 and every 20th after: 1, 21, …, 181.
    assert.deepEqual(run.recorded.map((e) => e.step), [1, 21, 41, 61, 81, 101, 121, 141, 161, 181], run.model);
    assert.deepEqual(run.recorded, run.sent, 'the run folder keeps the events as sent');
    for (const event of run.recorded) assert.ok(GradientFlowEventSchema.safeParse(event).success);
    const names = run.recorded[0]!.layers.map((l) => l.name);
    assert.equal(names[0], 'stem');
    assert.equal(names.at(-1), 'out');
    // Source order: the stem, the twelve calls of the block (their convolution's line), the output.
    assert.equal(names.length, 14, names.join(' '));
    const lines = run.recorded[0]!.layers.map((l) => l.line);
    assert.ok(lines[0]! > lines[1]! && lines[1]! === lines[12]! && lines[13]! > lines[0]!, lines.join(' '));
    for (const layer of run.recorded.at(-1)!.layers) {
      assert.ok(layer.gradientNorm! > 0 && layer.weightNorm! > 0 && layer.updateRatio! > 0 && layer.updateRatio! < 1, JSON.stringify(layer));
      assert.equal(layer.deadFraction, undefined, 'sigmoid layers have no dead relu units');
    }
  }
  const plainRatio = firstOverLast(plain);
  const residualRatio = firstOverLast(residual);
  t.diagnostic(`first/last layer gradient norm: plain ${plainRatio.toExponential(2)}, residual ${residualRatio.toExponential(2)} (${(residualRatio / plainRatio).toFixed(0)}x)`);
  assert.ok(residualRatio / plainRatio >= 10, `plain ${plainRatio}, residual ${residualRatio}`);
});
