import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { exportPytorch } from '../../src/language/pytorch/export';
import { compileModel } from '../../src/engine/model/compile';
import { totalLoss } from '../../src/engine/training/objective';
import { makeOptimizer } from '../../src/engine/training/optimizers';
import { runConvlabTorch } from '../../src/engine/pytorch/python';
import { readSafetensors, writeSafetensors } from '../../src/engine/pytorch/safetensors';
import { loadStateDict, stateDictOf } from '../../src/engine/pytorch/state-dict';
import { tf } from '../../src/engine/backends/tf';
import { seededRandom } from '../../src/engine/data/random';
import { randomState, torchPythonOrSkip } from './pytorch-harness';

/**
 * The exported make_optimizer computes ConvLab's update: three steps of SGD with momentum and of
 * Adam, with weight decay, from the same weights on the same batch, give the same weights. A
 * wrong decay factor (2·D, or decay on the biases) would move them apart.
 */
const python = torchPythonOrSkip();
const dir = mkdtempSync(join(tmpdir(), 'convlab-pytorch-train-'));
before(async () => {
  await tf.setBackend('cpu');
});
after(() => rmSync(dir, { recursive: true, force: true }));

for (const optimizer of ['sgd lr 0.1 momentum 0.9 decay 0.05', 'adam lr 0.01 decay 0.05']) {
  test(`three steps of ${optimizer}: ConvLab and the exported PyTorch training agree`, { skip: python ? false : 'no Python with torch' }, () => {
    const source = `model Tiny {\n  input 6x6x2\n  conv 3 3x3 relu\n  flatten\n  dense 5 tanh\n  out: dense 3 softmax\n}\ntrain Tiny {\n  data mnist\n  optimizer ${optimizer}\n}\n`;
    const analysis = analyze(source);
    const graph = analysis.models[0]!;
    const spec = analysis.trains[0]!;
    const exported = exportPytorch(graph, analysis, spec);
    const state = randomState(exported.tensors, 11);
    const next = seededRandom(12);
    const x = Float32Array.from({ length: 4 * 6 * 6 * 2 }, () => 2 * next() - 1);
    const labels = [0, 2, 1, 2];
    const compiled = compileModel(graph, { seed: 1 });
    try {
      loadStateDict(compiled.model, graph, exported.tensors, state);
      const opt = makeOptimizer(spec.optimizer);
      const kernels = compiled.model.trainableWeights.filter((w) => /kernel$/.test(w.originalName)).map((w) => (w as unknown as { val: tf.Variable }).val);
      const xs = tf.tensor4d(x, [4, 6, 6, 2]);
      const ys = tf.tensor1d(labels, 'int32');
      const objective = { kinds: compiled.outputKinds, lossWeights: compiled.lossWeights, classCount: 3, labelSmoothing: 0, weightDecay: spec.optimizer.decay };
      for (let step = 0; step < 3; step++) {
        opt.minimize(() => totalLoss([compiled.model.apply(xs, { training: true }) as tf.Tensor], ys, objective, kernels));
      }
      const ours = stateDictOf(compiled.model, graph, exported.tensors);
      const stem = join(dir, optimizer.split(' ')[0]!);
      writeFileSync(`${stem}.py`, exported.code);
      writeSafetensors(`${stem}.weights.safetensors`, state);
      const nchw = tf.tidy(() => xs.transpose([0, 3, 1, 2]).dataSync() as Float32Array);
      writeSafetensors(`${stem}.batch.safetensors`, new Map([
        ['x', { dtype: 'F32', shape: [4, 2, 6, 6], data: nchw }],
        ['y', { dtype: 'I64', shape: [4], data: BigInt64Array.from(labels.map(BigInt)) }],
      ]));
      runConvlabTorch(python!, 'train_steps', [`${stem}.py`, exported.className, `${stem}.weights.safetensors`, `${stem}.batch.safetensors`, '3', `${stem}.after.safetensors`]);
      const theirs = readSafetensors(`${stem}.after.safetensors`);
      for (const tensor of exported.tensors.filter((t) => t.parameter)) {
        const a = ours.get(tensor.key)!.data as Float32Array;
        const b = theirs.get(tensor.key)!.data as Float32Array;
        const start = state.get(tensor.key)!.data as Float32Array;
        let moved = 0;
        let differ = 0;
        for (let i = 0; i < a.length; i++) {
          moved = Math.max(moved, Math.abs(a[i]! - start[i]!));
          differ = Math.max(differ, Math.abs(a[i]! - b[i]!));
        }
        assert.ok(moved > 1e-3, `${tensor.key} moved`);
        assert.ok(differ <= 1e-5 + 1e-3 * moved, `${tensor.key}: ConvLab and PyTorch differ by ${differ.toExponential(2)} after moving ${moved.toExponential(2)}`);
      }
      xs.dispose();
      ys.dispose();
    } finally {
      compiled.model.dispose();
    }
  });
}
