import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { torchvisionCacheFile } from './state-header';
import { ModelFileError } from '../model/model-file';
import { findTorchPython, runConvlabTorch } from './python';

/** torchvision's networks that the samples write, and the sample model each goes into. */
export const TORCHVISION_NETWORKS: Record<string, { sample: string; model: string }> = {
  alexnet: { sample: 'alexnet.cnn', model: 'AlexNet' },
  vgg16: { sample: 'vgg16.cnn', model: 'VGG16' },
  googlenet: { sample: 'googlenet.cnn', model: 'GoogLeNet' },
  resnet18: { sample: 'resnet18.cnn', model: 'ResNet18' },
  resnet50: { sample: 'resnet50.cnn', model: 'ResNet50' },
};

export { torchvisionCacheFile };

export interface FetchedWeights {
  file: string;
  /** What the published weights expect of the input (GoogLeNet's transform_input). */
  note?: string;
}

/**
 * The published ImageNet weights of a torchvision network as safetensors: from ConvLab's cache,
 * else through torchvision itself (which reads torch.hub's cache first, then downloads).
 */
export function torchvisionWeights(name: string): FetchedWeights {
  if (!TORCHVISION_NETWORKS[name]) throw new ModelFileError(`--torchvision ${name}: ConvLab knows ${Object.keys(TORCHVISION_NETWORKS).join(', ')}`);
  const file = torchvisionCacheFile(name);
  const note = name === 'googlenet' ? 'its published weights expect input in [-1, 1] (torchvision turns on transform_input): use normalize tf in the data line' : undefined;
  if (existsSync(file)) return { file, ...(note ? { note } : {}) };
  const found = findTorchPython();
  if (!found.python) throw new ModelFileError(`--torchvision ${name} needs torchvision: ${found.reason} (Debian: apt-get install python3-torchvision)`);
  mkdirSync(dirname(file), { recursive: true });
  try {
    runConvlabTorch(found.python, 'torchvision_weights', [name, file]);
  } catch (error) {
    throw new ModelFileError(`--torchvision ${name}: ${(error as Error).message.replace(/^python convlab_torch\.torchvision_weights failed: /, '')}`);
  }
  return { file, ...(note ? { note } : {}) };
}
