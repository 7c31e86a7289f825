import type { ModelGraph } from '../../../language/layer-graph';
import type { TrainSpec } from '../../../language/passes/train-spec';
import { isBaseNode } from '../../../language/passes/pretrained';
import type { TrainingStage } from '../../../language/passes/stages';
import type { PytorchModule } from '../../../language/pytorch/export';
import type { OutputKind } from '../../model/compile';
import type { PreparedData } from './prepared-data';

/** What `python -m convlab_torch.train` reads (python/convlab_torch/train/loop.py): the train section, resolved. */
export interface RuntimeConfig {
  module: string;
  className: string;
  /** ConvLab's seeded initial weights (and a base's) in PyTorch's layout; absent on resume. */
  initialWeights?: string;
  runDir: string;
  resume: boolean;
  device: 'auto' | 'cpu' | 'cuda' | 'mps';
  precision: TrainSpec['precision'];
  stages: RuntimeStage[];
  batch: number;
  seed: number;
  optimizer: TrainSpec['optimizer'];
  /** The state_dict keys that decay applies to: conv and dense kernels. */
  kernels: string[];
  objective: { kinds: OutputKind[]; lossWeights: number[]; classCount: number; labelSmoothing: number; classWeights: number[] | null };
  augment: TrainSpec['augment'];
  earlyStop: TrainSpec['earlyStop'] | null;
  reduceLr: TrainSpec['reduceLr'] | null;
  checkpointMonitor: TrainSpec['checkpointMonitor'];
  top5: boolean;
  testIsValidation: boolean;
  data: PreparedData;
  batchEventInterval: number;
  /** DataLoader worker processes. */
  workers: number;
}

export interface RuntimeStage {
  name: TrainingStage['name'];
  epochs: number;
  learningRate: number;
  params: TrainingStage['params'];
  /** Parameters that do not train in this stage (a frozen base's). */
  frozen: string[];
  /** Modules kept in inference mode: a pretrained base's batchnorm layers, as the tfjs engine runs them. */
  inferenceModules: string[];
}

const moduleOf = (key: string) => key.slice(0, key.lastIndexOf('.'));

export function runtimeStages(stages: TrainingStage[], module: PytorchModule): RuntimeStage[] {
  return stages.map((stage) => {
    const nodes = stage.graph.nodes;
    const frozen = module.tensors.filter((t) => t.parameter && nodes[t.node]?.attrs.frozen === true).map((t) => t.key);
    const inference = module.tensors.filter((t) => nodes[t.node]?.op === 'batchnorm' && isBaseNode(nodes[t.node]!)).map((t) => moduleOf(t.key));
    return { name: stage.name, epochs: stage.epochs, learningRate: stage.learningRate, params: stage.params, frozen, inferenceModules: [...new Set(inference)] };
  });
}

export function kernelKeys(module: PytorchModule): string[] {
  return module.tensors.filter((t) => t.parameter && t.layout !== 'vector' && t.layout !== 'counter').map((t) => t.key);
}

export function graphInputShape(graph: ModelGraph): number[] {
  return graph.nodes[0]!.outputShape!;
}
