import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/language/passes/analyze';
import type { ModelGraph } from '../../src/language/layer-graph';
import { exportPytorch, type PytorchModule } from '../../src/language/pytorch/export';
import type { StateTensor } from '../../src/language/pytorch/state';
import { baseModelReader } from '../../src/engine/model/base-location';
import { alignByOrder } from '../../src/engine/pytorch/align';
import { compileModel } from '../../src/engine/model/compile';
import { findTorchPython, runConvlabTorch } from '../../src/engine/pytorch/python';
import { type NamedTensor, readSafetensors, writeSafetensors } from '../../src/engine/pytorch/safetensors';
import { checkStateDict, loadStateDict, stateDictOf } from '../../src/engine/pytorch/state-dict';
import { tf } from '../../src/engine/backends/tf';
import { seededRandom } from '../../src/engine/data/random';

/** Shared by the PyTorch agreement tests: models, random weights, one Python batch, comparisons. */

export const repoRoot = join(__dirname, '..', '..');

/** Python with torch, or the reason there is none; in CI a missing torch fails instead of skipping. */
export function torchPythonOrSkip(): string | undefined {
  const found = findTorchPython();
  if (found.python) return found.python;
  if (process.env.CI) throw new Error(found.reason);
  return undefined;
}

/** A model of a file, with `extra` appended (a smaller size of a parameterised model). */
export function graphOf(file: string, model: string, extra = ''): { graph: ModelGraph; analysis: ReturnType<typeof analyze> } {
  const text = readFileSync(file, 'utf8') + extra;
  const analysis = analyze(text, { readBaseModel: baseModelReader(file) });
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 0, `${file}: ${errors.map((e) => e.message).join('; ')}`);
  const graph = analysis.models.find((m) => m.name === model);
  assert.ok(graph, `${file} has no model ${model}`);
  return { graph, analysis };
}

/** A random state_dict in PyTorch's layout: He-uniform kernels, random biases, γ, β and statistics. */
export function randomState(tensors: StateTensor[], seed: number): Map<string, NamedTensor> {
  const next = seededRandom(seed);
  const state = new Map<string, NamedTensor>();
  for (const tensor of tensors) {
    const count = tensor.shape.reduce((a, b) => a * b, 1);
    if (tensor.layout === 'counter') {
      state.set(tensor.key, { dtype: 'I64', shape: [], data: new BigInt64Array(1) });
      continue;
    }
    const [low, high] = range(tensor, count);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = low + (high - low) * next();
    state.set(tensor.key, { dtype: 'F32', shape: tensor.shape, data });
  }
  return state;
}

function range(tensor: StateTensor, count: number): [number, number] {
  if (tensor.layout !== 'vector') {
    const bound = Math.sqrt(6 / (count / tensor.shape[0]!));
    return [-bound, bound];
  }
  if (tensor.weight === 'gamma' || tensor.weight === 'moving_variance') return [0.5, 1.5];
  return [-0.2, 0.2];
}

/** A random input, NHWC for ConvLab and NCHW (or N×features) for PyTorch. */
export function randomInput(shape: number[], seed: number): { nhwc: tf.Tensor; nchw: NamedTensor } {
  const next = seededRandom(seed);
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = 2 * next() - 1;
  const nhwc = tf.tensor(data, [1, ...shape]);
  const nchw = shape.length === 3 ? tf.tidy(() => nhwc.transpose([0, 3, 1, 2])) : nhwc;
  const result = { dtype: 'F32' as const, shape: nchw.shape, data: nchw.dataSync() as Float32Array };
  if (nchw !== nhwc) nchw.dispose();
  return { nhwc, nchw: result };
}

export function predict(model: tf.LayersModel, input: tf.Tensor): Float32Array[] {
  const outputs = model.predict(input);
  const list = Array.isArray(outputs) ? outputs : [outputs];
  const values = list.map((o) => new Float32Array(o.dataSync()));
  list.forEach((o) => o.dispose());
  return values;
}

/** The bound: max |difference| ≤ 1e-4 × max |reference|, and the same top five. */
export function assertAgree(actual: Float32Array, reference: Float32Array, what: string): void {
  assert.equal(actual.length, reference.length, `${what}: ${actual.length} outputs against ${reference.length}`);
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < reference.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(reference[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - reference[i]!));
  }
  assert.ok(maxRef > 0, `${what}: the reference output is all zeros, which proves nothing`);
  assert.ok(maxDiff <= 1e-4 * maxRef, `${what}: max |difference| ${maxDiff.toExponential(3)} > 1e-4 × ${maxRef.toExponential(3)}`);
  const top = (values: Float32Array) => [...values.keys()].sort((a, b) => values[b]! - values[a]!).slice(0, 5);
  assert.deepEqual(top(actual), top(reference), `${what}: top-5 classes differ`);
}

/** ConvLab's total less batchnorm statistics (PyTorch's buffers). */
export function expectedParameters(graph: ModelGraph): number {
  let total = 0;
  for (const node of graph.nodes) {
    total += node.params.trainable + node.params.nonTrainable;
    if (node.op === 'batchnorm') total -= 2 * node.outputShape![node.outputShape!.length - 1]!;
  }
  return total;
}

export interface AgreementCase {
  name: string;
  file: string;
  model: string;
  /** Appended to the file: `model Small = ResNet50(size = 64)`. */
  extra?: string;
}

interface Prepared {
  case: AgreementCase;
  exported: PytorchModule;
  ours: Float32Array[];
  out: string;
}

/**
 * Direction 1 (ConvLab → PyTorch): random weights set through the state_dict import, exported
 * back (which must give the same numbers), written as safetensors, with ConvLab's logits.
 * Then one Python process runs every model; then direction 2 (PyTorch → ConvLab) imports the
 * state_dict that PyTorch randomised and compares with PyTorch's logits.
 */
export function runAgreement(python: string, cases: AgreementCase[], dir: string): { name: string; check: () => void }[] {
  const prepared: Prepared[] = [];
  const jobs: object[] = [];
  cases.forEach((c, index) => {
    const { graph, analysis } = graphOf(c.file, c.model, c.extra);
    const exported = exportPytorch(graph, analysis);
    const out = join(dir, c.name);
    writeFileSync(`${out}.py`, exported.code);
    const compiled = compileModel(graph, { seed: 1 });
    try {
      const state = randomState(exported.tensors, 1000 + index);
      loadStateDict(compiled.model, graph, exported.tensors, state);
      const back = stateDictOf(compiled.model, graph, exported.tensors);
      for (const [key, tensor] of state) {
        assert.deepEqual(back.get(key)!.shape, tensor.shape, `${c.name} ${key}: shape after the round trip`);
        assert.ok(equalArrays(back.get(key)!.data, tensor.data), `${c.name} ${key}: values change in the round trip through ConvLab's layout`);
      }
      writeSafetensors(`${out}.weights.safetensors`, back);
      const input = randomInput(graph.nodes[0]!.outputShape!, 7 + index);
      writeSafetensors(`${out}.input.safetensors`, new Map([['input', input.nchw]]));
      const ours = predict(compiled.model, input.nhwc);
      input.nhwc.dispose();
      prepared.push({ case: c, exported, ours, out });
      jobs.push({ name: c.name, module: `${out}.py`, className: exported.className, weights: `${out}.weights.safetensors`, input: `${out}.input.safetensors`, out, seed: index });
    } finally {
      compiled.model.dispose();
    }
  });
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
  runConvlabTorch(python, 'agreement', [join(dir, 'jobs.json'), join(dir, 'results.json')]);
  const reports = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { name: string; error?: string; parameters: number; ours: string; theirs: string; theirsWeights: string }[];
  return prepared.map((p, i) => ({
    name: p.case.name,
    check: () => {
      const report = reports[i]!;
      assert.equal(report.error, undefined, `${p.case.name}: Python failed:\n${report.error}`);
      const { graph } = graphOf(p.case.file, p.case.model, p.case.extra);
      assert.equal(report.parameters, expectedParameters(graph), `${p.case.name}: PyTorch's parameter count`);
      assert.equal(p.exported.parameterCount, report.parameters, `${p.case.name}: the exporter's own count`);
      const torchOurs = readOutputs(report.ours);
      p.ours.forEach((values, k) => assertAgree(torchOurs[k]!, values, `${p.case.name} output ${k}, ConvLab's weights in PyTorch`));
      // Direction 2: PyTorch's own random weights into ConvLab.
      const theirs = readSafetensors(report.theirsWeights);
      assert.deepEqual(checkStateDict(graph, p.exported.tensors, theirs), []);
      const compiled = compileModel(graph, { seed: 2 });
      try {
        loadStateDict(compiled.model, graph, p.exported.tensors, theirs);
        const input = readSafetensors(`${p.out}.input.safetensors`).get('input')!;
        const nhwc = tf.tidy(() => {
          const t = tf.tensor(input.data as Float32Array, input.shape);
          return input.shape.length === 4 ? t.transpose([0, 2, 3, 1]) : t;
        });
        const ours = predict(compiled.model, nhwc);
        nhwc.dispose();
        const torchTheirs = readOutputs(report.theirs);
        ours.forEach((values, k) => assertAgree(values, torchTheirs[k]!, `${p.case.name} output ${k}, PyTorch's weights in ConvLab`));
      } finally {
        compiled.model.dispose();
      }
    },
  }));
}

function readOutputs(path: string): Float32Array[] {
  const tensors = readSafetensors(path);
  return [...tensors.keys()].sort().map((k) => tensors.get(k)!.data as Float32Array);
}

function equalArrays(a: Float32Array | BigInt64Array, b: Float32Array | BigInt64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface TorchvisionCase {
  name: string;
  /** torchvision.models' function, built with weights=None and these options. */
  torchvision: string;
  options?: Record<string, unknown>;
  file: string;
  model: string;
  extra?: string;
}

/**
 * torchvision's own network, randomised in PyTorch, imported into the matching sample by order:
 * ConvLab's logits must be torchvision's.
 */
export function runTorchvisionAgreement(python: string, cases: TorchvisionCase[], dir: string): { name: string; check: () => void }[] {
  const jobs = cases.map((c, index) => {
    const { graph } = graphOf(c.file, c.model, c.extra);
    const out = join(dir, `tv-${c.name}`);
    const input = randomInput(graph.nodes[0]!.outputShape!, 50 + index);
    input.nhwc.dispose();
    writeSafetensors(`${out}.input.safetensors`, new Map([['input', input.nchw]]));
    return { name: c.name, torchvision: c.torchvision, options: c.options ?? {}, input: `${out}.input.safetensors`, out, seed: 100 + index };
  });
  writeFileSync(join(dir, 'tv-jobs.json'), JSON.stringify(jobs));
  runConvlabTorch(python, 'agreement', [join(dir, 'tv-jobs.json'), join(dir, 'tv-results.json')]);
  const reports = JSON.parse(readFileSync(join(dir, 'tv-results.json'), 'utf8')) as { name: string; error?: string; parameters: number; theirs: string; theirsWeights: string }[];
  return cases.map((c, i) => ({
    name: c.name,
    check: () => {
      const report = reports[i]!;
      assert.equal(report.error, undefined, `${c.name}: Python failed:\n${report.error}`);
      const { graph, analysis } = graphOf(c.file, c.model, c.extra);
      const exported = exportPytorch(graph, analysis);
      assert.equal(report.parameters, exported.parameterCount, `${c.name}: torchvision's parameter count against the sample's`);
      const aligned = alignByOrder(exported.tensors, readSafetensors(report.theirsWeights));
      assert.ok('state' in aligned, `${c.name}: ${'problem' in aligned ? aligned.problem : ''}`);
      const compiled = compileModel(graph, { seed: 3 });
      try {
        loadStateDict(compiled.model, graph, exported.tensors, aligned.state);
        const input = readSafetensors(jobs[i]!.input).get('input')!;
        const nhwc = tf.tidy(() => tf.tensor(input.data as Float32Array, input.shape).transpose([0, 2, 3, 1]));
        const ours = predict(compiled.model, nhwc);
        nhwc.dispose();
        assertAgree(ours[0]!, readOutputs(report.theirs)[0]!, `${c.name}: torchvision's weights in ConvLab`);
      } finally {
        compiled.model.dispose();
      }
    },
  }));
}
