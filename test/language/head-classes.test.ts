import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { knownDatasetClasses } from '../../src/language/passes/dataset-classes';
import { sample, where } from './helpers';

const SAMPLES = ['alexnet.cnn', 'vgg16.cnn', 'googlenet.cnn', 'lenet5.cnn', 'resnet18.cnn', 'resnet50.cnn', 'resnet50-keras.cnn', 'transfer-ants-bees.cnn', 'xray-triage.cnn'];
// The class folders of the image datasets the samples name, as the host counts them on disk.
const FOLDER_CLASSES: Record<string, number> = { hymenoptera: 2, chest_xray_subset: 2 };

test('a head of 1000 ImageNet classes trained on a 2-class folder is an error at the train line', () => {
  const text = 'model Net(classes = 1000) {\n  input 8x8x3\n  flatten\n  dense classes softmax\n}\ntrain Net {\n  data bees\n}\n';
  const analysis = analyze(text, { datasetClasses: (source) => (source === 'bees' ? 2 : undefined) });
  assert.deepEqual(analysis.diagnostics.map((d) => `${d.code}@${where(analysis, d)}`), ['class-mismatch@6:7']);
  const [diagnostic] = analysis.diagnostics;
  assert.equal(diagnostic!.message, 'Net ends in 1000 outputs but bees has 2 classes');
  assert.match(diagnostic!.hint!, /model Net2Classes = Net\(classes = 2\)/);
});

test('the known datasets need no host to be checked: cifar10 has 10 classes', () => {
  const analysis = analyze('model M {\n  input 32x32x3\n  flatten\n  dense 2 softmax\n}\ntrain M {\n  data cifar10\n}\n');
  assert.deepEqual(analysis.diagnostics.map((d) => d.code), ['class-mismatch']);
  assert.match(analysis.diagnostics[0]!.hint!, /give the last dense layer 10 units/);
});

test('a derived model with the right head passes; a dataset the host cannot count is not guessed at', () => {
  const text = 'model Net(classes = 1000) {\n  input 8x8x3\n  flatten\n  dense classes softmax\n}\nmodel Net2 = Net(classes = 2)\ntrain Net2 {\n  data bees\n}\ntrain Net {\n  data "elsewhere"\n}\n';
  assert.deepEqual(analyze(text, { datasetClasses: (s) => (s === 'bees' ? 2 : undefined) }).diagnostics, []);
});

for (const file of SAMPLES) {
  test(`${file}: every train section trains a model whose head matches its dataset's classes`, () => {
    const analysis = analyze(sample(file), { datasetClasses: (source) => FOLDER_CLASSES[source] });
    assert.deepEqual(analysis.diagnostics.filter((d) => d.code === 'class-mismatch').map((d) => d.message), []);
    for (const spec of analysis.trains) {
      const graph = analysis.models.find((m) => m.name === spec.model)!;
      const classes = knownDatasetClasses(spec.data!.source) ?? FOLDER_CLASSES[spec.data!.source];
      assert.deepEqual(graph.nodes[graph.outputs[0]!.node]!.outputShape, [classes], `${spec.model} on ${spec.data!.source}`);
    }
  });
}
