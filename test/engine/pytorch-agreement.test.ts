import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { selectBackend } from '../../src/engine/backends/select-backend';
import { type AgreementCase, repoRoot, runAgreement, torchPythonOrSkip } from './pytorch-harness';

/**
 * Every sample model and the coverage models (test/fixtures/pytorch/coverage.cnn), exported to
 * PyTorch and run there on Debian's python3-torch: same parameter count, same logits both ways.
 * Models with a size parameter run smaller, as their CIFAR variants do.
 */
const sample = (file: string) => join(repoRoot, 'samples', file);
const coverage = join(repoRoot, 'test', 'fixtures', 'pytorch', 'coverage.cnn');

const CASES: AgreementCase[] = [
  ...['Convolutions', 'Pooling', 'Normalisation', 'Structure', 'Perceptron'].map((model) => ({ name: model, file: coverage, model })),
  { name: 'LeNet5', file: sample('lenet5.cnn'), model: 'LeNet5' },
  { name: 'AlexNet', file: sample('alexnet.cnn'), model: 'AlexNet' },
  { name: 'AlexNetOriginal', file: sample('alexnet.cnn'), model: 'AlexNetOriginal' },
  { name: 'VGG16', file: sample('vgg16.cnn'), model: 'VGG16' },
  { name: 'GoogLeNetCifar', file: sample('googlenet.cnn'), model: 'GoogLeNetCifar' },
  { name: 'GoogLeNetAux', file: sample('googlenet.cnn'), model: 'GoogLeNetAuxSmall', extra: '\nmodel GoogLeNetAuxSmall = GoogLeNet(aux = 1, size = 96)\n' },
  { name: 'MobileNetV2Cifar', file: sample('mobilenetv2.cnn'), model: 'MobileNetV2Cifar' },
  { name: 'DenseNet121Cifar', file: sample('densenet121.cnn'), model: 'DenseNet121Cifar' },
  { name: 'ResNet18Cifar', file: sample('resnet18.cnn'), model: 'ResNet18Cifar' },
  { name: 'ResNet50', file: sample('resnet50.cnn'), model: 'ResNet50Small', extra: '\nmodel ResNet50Small = ResNet50(size = 64)\n' },
  { name: 'ResNet50Keras', file: sample('resnet50-keras.cnn'), model: 'ResNet50Keras' },
  { name: 'AntsBees', file: sample('transfer-ants-bees.cnn'), model: 'AntsBeesSmall', extra: '\nmodel AntsBeesSmall = AntsBees(size = 64)\n' },
  { name: 'XrayTriage', file: sample('xray-triage.cnn'), model: 'XrayTriageSmall', extra: '\nmodel XrayTriageSmall = XrayTriage(size = 64)\n' },
];

// CONVLAB_PYTORCH_CASES=LeNet5,Pooling runs a few while developing.
const only = process.env.CONVLAB_PYTORCH_CASES?.split(',');
const selected = only ? CASES.filter((c) => only.includes(c.name)) : CASES;
const python = torchPythonOrSkip();
const dir = mkdtempSync(join(tmpdir(), 'convlab-pytorch-'));

describe('PyTorch export agrees with ConvLab', { skip: python ? false : 'no Python with torch (install python3-torch)' }, () => {
  let checks: { name: string; check: () => void }[] = [];
  before(async () => {
    await selectBackend({ force: 'wasm' });
    checks = runAgreement(python!, selected, dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const c of selected) {
    test(`${c.name}: parameters and logits agree in both directions`, () => {
      checks.find((k) => k.name === c.name)!.check();
    });
  }
});
