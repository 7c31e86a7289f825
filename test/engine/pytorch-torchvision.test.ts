import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { selectBackend } from '../../src/engine/backends/select-backend';
import { repoRoot, runTorchvisionAgreement, type TorchvisionCase, torchPythonOrSkip } from './pytorch-harness';

/**
 * torchvision's networks, built offline (weights=None) and randomised, imported by order into the
 * samples that write them: ConvLab computes torchvision's logits, so the published weights load
 * the same way. Networks with adaptive pooling run at 64×64; AlexNet and VGG16 at their 224×224.
 */
const sample = (file: string) => join(repoRoot, 'samples', file);
const CASES: TorchvisionCase[] = [
  { name: 'alexnet', torchvision: 'alexnet', file: sample('alexnet.cnn'), model: 'AlexNet' },
  { name: 'vgg16', torchvision: 'vgg16', file: sample('vgg16.cnn'), model: 'VGG16' },
  { name: 'googlenet', torchvision: 'googlenet', options: { aux_logits: false, init_weights: false }, file: sample('googlenet.cnn'), model: 'GoogLeNet64', extra: '\nmodel GoogLeNet64 = GoogLeNet(size = 64)\n' },
  { name: 'resnet18', torchvision: 'resnet18', file: sample('resnet18.cnn'), model: 'ResNet18At64', extra: '\nmodel ResNet18At64 = ResNet18(size = 64)\n' },
  { name: 'resnet50', torchvision: 'resnet50', file: sample('resnet50.cnn'), model: 'ResNet50At64', extra: '\nmodel ResNet50At64 = ResNet50(size = 64)\n' },
];

const only = process.env.CONVLAB_PYTORCH_CASES?.split(',');
const selected = only ? CASES.filter((c) => only.includes(c.name)) : CASES;
const python = torchPythonOrSkip();
const dir = mkdtempSync(join(tmpdir(), 'convlab-torchvision-'));

describe('torchvision\'s networks in the samples', { skip: python ? false : 'no Python with torch (install python3-torch)' }, () => {
  let checks: { name: string; check: () => void }[] = [];
  before(async () => {
    await selectBackend({ force: 'wasm' });
    checks = runTorchvisionAgreement(python!, selected, dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const c of selected) {
    test(`torchvision ${c.name} (weights=None, randomised) imported into ${c.model} gives torchvision's logits`, () => {
      checks.find((k) => k.name === c.name)!.check();
    });
  }
});
