import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/language/passes/analyze';
import { totals, type NodeOf } from '../../src/language/layer-graph';
import { sample } from './helpers';

function countsOf(file: string, model: string) {
  const analysis = analyze(sample(file));
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), [], `${file} has errors`);
  const graph = analysis.models.find((m) => m.name === model);
  assert.ok(graph, `${file} has model ${model}`);
  return totals(graph).params;
}

// DESIGN.md's reference numbers: torchvision counts are our trainable counts, Keras' our totals.
const torchvision: [string, string, number][] = [
  ['lenet5.cnn', 'LeNet5', 61_706],
  ['alexnet.cnn', 'AlexNet', 61_100_840],
  ['vgg16.cnn', 'VGG16', 138_357_544],
  ['googlenet.cnn', 'GoogLeNet', 6_624_904],
  ['googlenet.cnn', 'GoogLeNetAux', 13_004_888],
  ['resnet18.cnn', 'ResNet18', 11_689_512],
  ['resnet50.cnn', 'ResNet50', 25_557_032],
  ['mobilenetv2.cnn', 'MobileNetV2', 3_504_872],
  ['densenet121.cnn', 'DenseNet121', 7_978_856],
  ['alexnet.cnn', 'AlexNetOriginal', 60_965_224],
  ['alexnet.cnn', 'AlexNetTowers', 60_965_224],
];

for (const [file, model, expected] of torchvision) {
  test(`${model} has ${expected.toLocaleString('en-US')} trainable parameters`, () => {
    assert.equal(countsOf(file, model).trainable, expected);
  });
}

test('Keras ResNet-50 has 25,636,712 weights, 53,120 of them non-trainable', () => {
  const params = countsOf('resnet50-keras.cnn', 'ResNet50Keras');
  assert.equal(params.total, 25_636_712);
  assert.equal(params.nonTrainable, 53_120);
});

test('VGG16 convolutional base holds 14,714,688 parameters', () => {
  const graph = analyze(sample('vgg16.cnn')).models[0]!;
  const base = graph.nodes.filter((n) => n.op === 'conv').reduce((sum, n) => sum + n.params.trainable, 0);
  assert.equal(base, 14_714_688);
});

test('LeNet-5 layer shapes follow the paper', () => {
  const graph = analyze(sample('lenet5.cnn')).models[0]!;
  assert.deepEqual(graph.nodes.slice(1).map((n) => n.outputShape), [[28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16], [400], [120], [84], [10]]);
  assert.deepEqual(graph.nodes.map((n) => n.name ?? n.op), ['input', 'C1', 'S2', 'C3', 'S4', 'flatten', 'C5', 'F6', 'out']);
});

test('LeNet-5 multiply-adds and receptive fields', () => {
  const graph = analyze(sample('lenet5.cnn')).models[0]!;
  const c1 = graph.nodes[1]!;
  assert.equal(c1.macs, 28 * 28 * 6 * 5 * 5);
  assert.deepEqual(c1.receptiveField, [5, 5]);
  assert.deepEqual(graph.nodes[3]!.receptiveField, [14, 14]);
  assert.deepEqual(graph.nodes[3]!.jump, [2, 2]);
});

test('AlexNet shapes: 55, 27, 13, 6', () => {
  const graph = analyze(sample('alexnet.cnn')).models[0]!;
  const shapeOf = (name: string) => graph.nodes.find((n) => n.name === name)!.outputShape;
  assert.deepEqual(shapeOf('conv1'), [55, 55, 64]);
  assert.deepEqual(shapeOf('pool1'), [27, 27, 64]);
  assert.deepEqual(shapeOf('pool2'), [13, 13, 192]);
  assert.deepEqual(shapeOf('pool5'), [6, 6, 256]);
});

test('GoogLeNet keeps torchvision shapes with ceil-mode pooling, and aux heads are extra outputs', () => {
  const analysis = analyze(sample('googlenet.cnn'));
  const plain = analysis.models.find((m) => m.name === 'GoogLeNet')!;
  const aux = analysis.models.find((m) => m.name === 'GoogLeNetAux')!;
  assert.equal(plain.outputs.length, 1);
  assert.deepEqual(aux.outputs.map((o) => [o.name, o.lossWeight]), [['main', 1], ['aux1', 0.3], ['aux2', 0.3]]);
  const concat = plain.nodes.filter((n) => n.op === 'concat').map((n) => n.outputShape);
  assert.deepEqual(concat[0], [28, 28, 256]);
  assert.deepEqual(concat[2], [14, 14, 512]);
  assert.deepEqual(concat.at(-1), [7, 7, 1024]);
  const cifar = analysis.models.find((m) => m.name === 'GoogLeNetCifar')!;
  assert.deepEqual(cifar.nodes.at(-1)!.outputShape, [10]);
  assert.deepEqual(cifar.nodes[0]!.outputShape, [32, 32, 3]);
});

test('ResNet-18 shortcuts: a projection exactly where the shape changes', () => {
  const graph = analyze(sample('resnet18.cnn')).models[0]!;
  const shortcuts = graph.nodes.filter((n): n is NodeOf<'conv'> => n.synthetic === 'shortcut' && n.op === 'conv');
  assert.equal(shortcuts.length, 3);
  assert.deepEqual(shortcuts.map((n) => n.attrs.stride), [[2, 2], [2, 2], [2, 2]]);
  assert.equal(graph.nodes.filter((n) => n.synthetic === 'residual-add').length, 8);
  assert.deepEqual(graph.nodes.at(-2)!.outputShape, [512]);
});

test('every sample carries a valid train section', () => {
  for (const file of ['lenet5.cnn', 'alexnet.cnn', 'vgg16.cnn', 'googlenet.cnn', 'resnet18.cnn', 'resnet50.cnn', 'resnet50-keras.cnn', 'mobilenetv2.cnn', 'densenet121.cnn']) {
    const analysis = analyze(sample(file));
    assert.equal(analysis.trains.length, 1, file);
    // ResNet's projection shortcuts are meant: their note is information, nothing to fix.
    assert.deepEqual(analysis.diagnostics.filter((d) => d.severity !== 'info'), [], file);
  }
  const lenet = analyze(sample('lenet5.cnn')).trains[0]!;
  assert.deepEqual([lenet.data?.source, lenet.epochs, lenet.batch, lenet.optimizer.name, lenet.optimizer.lr], ['mnist', 5, 64, 'adam', 0.001]);
  assert.deepEqual(lenet.validation, { kind: 'none' }, 'the main job trains on all of MNIST, as the assignment does');
});

test("question 9's sample is the assignment's recipe: torchvision googlenet(num_classes=10, aux_logits=True) on 32×32", () => {
  const analysis = analyze(sample('googlenet.cnn'));
  const cifar = analysis.models.find((m) => m.name === 'GoogLeNetCifar')!;
  // sum(p.numel() for p in torchvision.models.googlenet(num_classes=10, aux_logits=True).parameters())
  assert.equal(totals(cifar).params.trainable, 9_960_638);
  assert.deepEqual(cifar.outputs.map((o) => [o.name, o.lossWeight, cifar.nodes[o.node]!.outputShape]), [['main', 1, [10]], ['aux1', 0.3, [10]], ['aux2', 0.3, [10]]]);
  // The aux heads pool adaptively to 4×4 as torchvision's do, from 2×2 maps at this size.
  const pools = cifar.nodes.filter((n) => n.op === 'adaptiveavgpool');
  assert.deepEqual(pools.map((n) => [cifar.nodes[n.inputs[0]!]!.outputShape, n.outputShape]), [[[2, 2, 512], [4, 4, 512]], [[2, 2, 528], [4, 4, 528]]]);
  // PyTorch's batchnorm momentum 0.1 is 0.9 in Keras' convention, on every batchnorm.
  assert.ok(cifar.nodes.filter((n) => n.op === 'batchnorm').every((n) => n.attrs.momentum === 0.9));
  const spec = analysis.trains.find((t) => t.model === 'GoogLeNetCifar')!;
  assert.deepEqual(spec.data, { source: 'cifar10', size: undefined, channels: undefined, normalize: undefined, mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] });
  assert.deepEqual([spec.epochs, spec.batch, spec.optimizer.name, spec.optimizer.lr], [10, 128, 'adam', 0.001]);
  assert.deepEqual([spec.augment.flip, spec.augment.crop], [true, 4]);
  assert.deepEqual(spec.validation, { kind: 'split', name: 'test' });
  assert.equal(spec.earlyStop, undefined);
});
