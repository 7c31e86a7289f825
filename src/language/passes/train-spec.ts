import type { LayerStatement, TrainDecl } from '../ast';
import { bindLayer } from './bind';
import { DiagnosticSink, didYouMean } from '../diagnostic-sink';
import { EMPTY_ENVIRONMENT, evaluateNumber } from './expressions';
import type { Attrs } from '../layer-graph';
import type { WordsSpec } from './layer-catalogue';
import type { Span } from '../text';
import { TRAIN_DEFAULTS } from '../../protocol/train-defaults';

export interface SettingSpec extends WordsSpec {
  doc: string;
}

const monitor = { name: 'monitor', type: 'word' as const, choices: ['val_loss', 'val_accuracy', 'loss', 'accuracy'], doc: 'the metric watched.' };

/** Every setting of a `train` section, in the same shape as a layer so one binder reads both. */
export const SETTINGS: SettingSpec[] = [
  {
    op: 'data', doc: 'The dataset: mnist, fashion-mnist, cifar10, the name of an image folder in the data folder, or a "path" relative to this file.',
    params: [
      { name: 'source', type: 'word', positional: true, required: true, doc: 'dataset name or "path".' },
      { name: 'size', type: 'size', doc: 'resize images to H×W (image folders).' },
      { name: 'channels', type: 'count', doc: '1 for gray, 3 for colour (image folders).' },
      { name: 'mean', type: 'perchannel', doc: 'subtract this per-channel mean (on the [0, 1] scale) instead of a named normalisation: mean 0.4914 x 0.4822 x 0.4465.' },
      { name: 'std', type: 'perchannel', doc: 'then divide by this per-channel std: std 0.2023 x 0.1994 x 0.2010 (the assignment\'s CIFAR-10 figures); 1 when left out.' },
      { name: 'normalize', type: 'word', choices: ['unit', 'standard', 'imagenet', 'tf', 'caffe'], doc: 'unit scales pixels to [0, 1]; standard also subtracts the dataset\'s published mean and divides by its std (MNIST 0.1307 and 0.3081, as PyTorch\'s examples do); for pretrained bases, imagenet uses the ImageNet mean and std (torchvision, Keras\' torch mode), tf scales to [−1, 1] (Keras\' MobileNetV2, InceptionV3) and caffe gives BGR minus the ImageNet mean in bytes (Keras\' VGG16, ResNet50).' },
    ],
    flags: [],
  },
  { op: 'epochs', doc: 'Passes over the training set.', params: [{ name: 'count', type: 'count', positional: true, required: true, doc: 'number of epochs.' }], flags: [] },
  { op: 'batch', doc: 'Examples per gradient step.', params: [{ name: 'size', type: 'count', positional: true, required: true, doc: 'batch size.' }], flags: [] },
  {
    op: 'optimizer', doc: 'How the weights follow the gradient: sgd (with momentum, optionally Nesterov), adam or rmsprop.',
    params: [
      { name: 'name', type: 'word', positional: true, required: true, choices: ['sgd', 'adam', 'rmsprop'], doc: 'sgd, adam or rmsprop.' },
      { name: 'lr', type: 'number', doc: 'learning rate.' },
      { name: 'momentum', type: 'rate', doc: 'momentum (sgd, rmsprop).' },
      { name: 'decay', type: 'number', doc: 'L2 weight decay added to the loss.' },
      { name: 'beta1', type: 'rate', doc: 'Adam β₁ (0.9).' },
      { name: 'beta2', type: 'rate', doc: 'Adam β₂ (0.999).' },
    ],
    flags: [{ name: 'nesterov', doc: 'Nesterov momentum (sgd).', sets: { nesterov: true } }],
  },
  { op: 'lr', doc: 'The learning rate, when the optimizer line does not give it.', params: [{ name: 'rate', type: 'number', positional: true, required: true, doc: 'learning rate.' }], flags: [] },
  {
    op: 'loss', doc: 'The training loss: cross-entropy over the classes, with optional label smoothing.',
    params: [
      { name: 'name', type: 'word', positional: true, required: true, choices: ['crossentropy'], doc: 'crossentropy.' },
      { name: 'smoothing', type: 'rate', doc: 'label smoothing ε: the target puts 1 − ε on the class and spreads ε over all.' },
    ],
    flags: [],
  },
  {
    op: 'validation', doc: 'Where validation examples come from: a seeded holdout fraction of the training set (0.1 by default when the dataset has no validation split), a named split, or none.',
    params: [
      { name: 'fraction', type: 'rate', positional: true, doc: 'holdout fraction of the training set.' },
      { name: 'split', type: 'word', doc: 'a split folder of an image dataset, such as val.' },
    ],
    flags: [{ name: 'none', doc: 'no validation.', sets: { none: true } }],
  },
  {
    op: 'augment', doc: 'Random changes to each training image, so the model cannot memorise pixels.',
    params: [
      { name: 'crop', type: 'count', doc: 'pad by N pixels and crop back at a random place (CIFAR recipe: 4).' },
      { name: 'rotate', type: 'number', doc: 'rotate by up to ± degrees.' },
      { name: 'zoom', type: 'rate', doc: 'zoom in or out by up to this fraction.' },
      { name: 'shift', type: 'rate', doc: 'shift by up to this fraction of the size.' },
      { name: 'shear', type: 'number', doc: 'shear by up to ± degrees.' },
    ],
    flags: [
      { name: 'flip', doc: 'flip left-right with probability 1/2.', sets: { flip: true } },
      { name: 'vflip', doc: 'flip upside down with probability 1/2.', sets: { vflip: true } },
    ],
  },
  {
    op: 'earlystop', doc: 'Stops when the monitored metric has not improved for `patience` epochs; `restore` goes back to the best weights.',
    params: [{ name: 'patience', type: 'count', default: 3, doc: 'epochs without improvement before stopping.' }, { name: 'mindelta', type: 'number', default: 0, doc: 'smallest change that counts as an improvement.' }, monitor],
    flags: [{ name: 'restore', doc: 'restore the best weights at the end.', sets: { restore: true } }],
    defaults: { restore: false },
  },
  {
    op: 'reducelr', doc: 'Multiplies the learning rate by `factor` when the monitored metric has not improved for `patience` epochs.',
    params: [{ name: 'factor', type: 'rate', default: 0.1, doc: 'multiplier.' }, { name: 'patience', type: 'count', default: 2, doc: 'epochs to wait.' }, { name: 'min', type: 'number', default: 0, doc: 'lowest learning rate.' }, monitor],
    flags: [],
  },
  { op: 'checkpoint', doc: 'Which metric picks the best checkpoint (best/ beside last/ in the run folder).', params: [monitor], flags: [] },
  { op: 'seed', doc: 'Seed for weights, shuffling, holdout and augmentation: the same seed gives the same run.', params: [{ name: 'value', type: 'number', positional: true, required: true, doc: 'a whole number.' }], flags: [] },
  { op: 'limit', doc: 'Train on N examples only, and validate and test on at most N each, for quick runs.', params: [{ name: 'count', type: 'count', positional: true, required: true, doc: 'number of examples.' }], flags: [] },
  {
    op: 'metrics', doc: 'Metrics reported besides the loss.', params: [],
    flags: [{ name: 'accuracy', doc: 'top-1 accuracy.', sets: { accuracy: true } }, { name: 'top5', doc: 'top-5 accuracy.', sets: { top5: true } }],
  },
  {
    op: 'finetune', doc: 'A second stage after `epochs`: unfreeze layers of the pretrained base and train on with a lower learning rate (the optimizer starts afresh, as Keras does on recompiling). Batchnorm layers of the base stay frozen, in inference mode.',
    params: [
      { name: 'epochs', type: 'count', required: true, doc: 'epochs of the second stage.' },
      { name: 'lr', type: 'number', required: true, doc: 'its learning rate, usually 10 to 100 times lower.' },
      { name: 'unfreeze', type: 'selection', default: 0, doc: 'base layers that train now: all, the last N, or from a named layer on.' },
    ],
    flags: [],
  },
  {
    op: 'critical', doc: 'Classes whose misses cost most (PNEUMONIA in triage): evaluation reports their sensitivity (recall) and the misses first.',
    params: [{ name: 'classes', type: 'word', positional: true, required: true, doc: 'a class name; repeat the line or write several names.' }],
    flags: [],
  },
  {
    op: 'precision', doc: 'The number format of training: fp32 (the default), or mixed precision on the pytorch engine: bf16 (autocast to bfloat16; CUDA and CPU) or fp16 (autocast to float16 with loss scaling; CUDA only). The tfjs engine trains in fp32 only.',
    params: [{ name: 'mode', type: 'word', positional: true, required: true, choices: ['fp32', 'bf16', 'fp16'], doc: 'fp32, bf16 or fp16.' }],
    flags: [],
  },
  {
    op: 'devices', doc: 'Data parallel training on the pytorch engine: one process per device under torchrun (DistributedDataParallel), each on its share of every batch; with no CUDA device, CPU processes (gloo). `batch` stays the global batch, so it must split evenly. The CLI\'s `--gpus N` overrides it. The tfjs engine trains in one process.',
    params: [{ name: 'count', type: 'count', positional: true, required: true, doc: 'processes, one per device (1: no torchrun).' }],
    flags: [],
  },
  { op: 'classweights', doc: '`balanced` weighs each class by n / (classes × count), as scikit-learn does; or one weight per class.', params: [], flags: [{ name: 'balanced', doc: 'weights from the class counts.', sets: { balanced: true } }] },
];

export const SETTING_BY_KEY: ReadonlyMap<string, SettingSpec> = new Map(SETTINGS.map((s) => [s.op, s]));

export type Normalize = 'unit' | 'standard' | 'imagenet' | 'tf' | 'caffe';

export type Precision = 'fp32' | 'bf16' | 'fp16';

export type Monitor = 'val_loss' | 'val_accuracy' | 'loss' | 'accuracy';

/** A validated `train` section, with defaults filled in: what the engine runs. */
export interface TrainSpec {
  model: string;
  span: Span;
  data?: { source: string; size?: [number, number]; channels?: number; normalize?: Normalize; mean?: number[]; std?: number[] };
  epochs: number;
  batch: number;
  optimizer: { name: 'sgd' | 'adam' | 'rmsprop'; lr: number; momentum: number; nesterov: boolean; decay: number; beta1: number; beta2: number };
  loss: { name: 'crossentropy'; labelSmoothing: number };
  validation: { kind: 'holdout'; fraction: number } | { kind: 'split'; name: string } | { kind: 'none' };
  augment: { flip: boolean; vflip: boolean; crop: number; rotate: number; zoom: number; shift: number; shear: number };
  classWeights?: 'balanced' | number[];
  earlyStop?: { patience: number; minDelta: number; monitor: Monitor; restore: boolean };
  reduceLr?: { factor: number; patience: number; min: number; monitor: Monitor };
  checkpointMonitor: Monitor;
  seed?: number;
  limit?: number;
  metrics: { top5: boolean };
  /** The second stage of transfer learning. `unfreeze`: 'all', the last N base layers, or from a name on. */
  finetune?: { epochs: number; lr: number; unfreeze: number | string; span: Span };
  critical: string[];
  /** Processes of a data parallel run (the pytorch engine under torchrun); absent: one. */
  devices?: number;
  devicesSpan?: Span;
  /** Mixed precision (the pytorch engine); `precisionSpan` locates a line the engine cannot honour. */
  precision: Precision;
  precisionSpan?: Span;
}


/** Reads and validates a `train` section; reports each bad line and keeps the good ones. */
export function readTrainSection(decl: TrainDecl, modelNames: ReadonlySet<string>, sink: DiagnosticSink): TrainSpec | undefined {
  if (!decl.model) {
    sink.error('unknown-model', decl.keyword.span, 'train needs the name of the model it trains', 'write: train LeNet5 { … }');
  } else if (!modelNames.has(decl.model.name)) {
    sink.error('unknown-model', decl.model.span, `unknown model '${decl.model.name}'`, didYouMean(decl.model.name, modelNames) ?? `models in this file: ${[...modelNames].join(', ') || 'none'}`);
  }
  const bound = new Map<string, Attrs>();
  const spans = new Map<string, Span>();
  const critical: string[] = [];
  let classWeights: TrainSpec['classWeights'];
  for (const setting of decl.settings) {
    const key = setting.key.name;
    const spec = SETTING_BY_KEY.get(key);
    if (!spec) {
      sink.error('unknown-setting', setting.key.span, `unknown train setting '${key}'`, didYouMean(key, SETTING_BY_KEY.keys()) ?? `settings: ${[...SETTING_BY_KEY.keys()].join(', ')}`);
      continue;
    }
    if (key === 'critical') {
      // Several class names on one line, and the line may repeat.
      if (setting.args.length === 0) sink.error('missing-argument', setting.key.span, 'critical needs the name of a class', 'for example: critical PNEUMONIA');
      for (const arg of setting.args) {
        if (arg.kind === 'name' || arg.kind === 'string') critical.push(arg.kind === 'name' ? arg.name : arg.value);
        else sink.error('bad-value', arg.span, 'critical takes class names', 'for example: critical PNEUMONIA');
      }
      continue;
    }
    if (bound.has(key)) sink.warning('duplicate-argument', setting.key.span, `'${key}' is set twice; the last one wins`);
    spans.set(key, setting.span);
    if (key === 'classweights' && !(setting.args.length === 1 && setting.args[0]!.kind === 'name')) {
      const weights = setting.args.map((arg) => evaluateNumber(arg, EMPTY_ENVIRONMENT, sink));
      if (weights.length === 0) sink.error('missing-argument', setting.key.span, 'classweights needs `balanced` or one weight per class');
      else if (weights.every((w): w is number => w !== undefined && w > 0)) classWeights = weights;
      else sink.error('bad-value', setting.span, 'class weights must be numbers above 0');
      bound.set(key, {});
      continue;
    }
    const statement: LayerStatement = { kind: 'layer', op: setting.key, args: setting.args, span: setting.span };
    const attrs = bindLayer(statement, spec, EMPTY_ENVIRONMENT, sink);
    if (attrs) bound.set(key, attrs);
    if (key === 'classweights' && attrs?.balanced) classWeights = 'balanced';
  }
  checkDevicesSplitBatch(bound, spans, sink);
  if (!decl.model || !modelNames.has(decl.model.name)) return undefined;
  return toSpec(decl.model.name, decl.span, bound, classWeights, critical, spans);
}

/** Each process takes batch ÷ devices examples of every batch, so the two must divide. */
function checkDevicesSplitBatch(bound: Map<string, Attrs>, spans: Map<string, Span>, sink: DiagnosticSink): void {
  const devices = bound.get('devices')?.count;
  const batch = (bound.get('batch')?.size as number | undefined) ?? TRAIN_DEFAULTS.batch;
  if (typeof devices !== 'number' || devices <= 1 || batch % devices === 0) return;
  sink.error('bad-value', spans.get('devices')!, `devices ${devices}: batch ${batch} does not split evenly over ${devices} processes`, `make batch a multiple of ${devices} (batch is the global batch; each process takes batch ÷ devices)`);
}

/** The spec of a model trained without a train section: every default, no dataset named. */
export function defaultTrainSpec(model: string, span: Span): TrainSpec {
  return toSpec(model, span, new Map(), undefined, [], new Map());
}

function toSpec(model: string, span: Span, bound: Map<string, Attrs>, classWeights: TrainSpec['classWeights'], critical: string[], spans: Map<string, Span>): TrainSpec {
  const get = (key: string) => bound.get(key) ?? {};
  const num = (attrs: Attrs, key: string, fallback: number) => (typeof attrs[key] === 'number' ? (attrs[key] as number) : fallback);
  const pair = (value: unknown) => (Array.isArray(value) ? [value[0], value[1]] as [number, number] : undefined);
  const data = bound.get('data');
  const optimizer = get('optimizer');
  const optimizerName = (optimizer.name as TrainSpec['optimizer']['name'] | undefined) ?? TRAIN_DEFAULTS.optimizer;
  const validation = get('validation');
  const augment = get('augment');
  const early = bound.get('earlystop');
  const reduce = bound.get('reducelr');
  const finetune = bound.get('finetune');
  return {
    model,
    span,
    data: data && {
      source: data.source as string,
      size: pair(data.size),
      channels: data.channels as number | undefined,
      normalize: data.normalize as Normalize | undefined,
      ...(Array.isArray(data.mean) ? { mean: data.mean as number[] } : {}),
      ...(Array.isArray(data.std) ? { std: data.std as number[] } : {}),
    },
    epochs: num(get('epochs'), 'count', TRAIN_DEFAULTS.epochs),
    batch: num(get('batch'), 'size', TRAIN_DEFAULTS.batch),
    optimizer: {
      name: optimizerName,
      lr: num(optimizer, 'lr', num(get('lr'), 'rate', TRAIN_DEFAULTS.learningRate[optimizerName])),
      momentum: num(optimizer, 'momentum', TRAIN_DEFAULTS.momentum[optimizerName]),
      nesterov: optimizer.nesterov === true,
      decay: num(optimizer, 'decay', 0),
      beta1: num(optimizer, 'beta1', TRAIN_DEFAULTS.beta1),
      beta2: num(optimizer, 'beta2', TRAIN_DEFAULTS.beta2),
    },
    loss: { name: 'crossentropy', labelSmoothing: num(get('loss'), 'smoothing', 0) },
    validation: validation.none ? { kind: 'none' } : typeof validation.split === 'string' ? { kind: 'split', name: validation.split } : { kind: 'holdout', fraction: num(validation, 'fraction', TRAIN_DEFAULTS.validationFraction) },
    augment: {
      flip: augment.flip === true, vflip: augment.vflip === true, crop: num(augment, 'crop', 0), rotate: num(augment, 'rotate', 0),
      zoom: num(augment, 'zoom', 0), shift: num(augment, 'shift', 0), shear: num(augment, 'shear', 0),
    },
    classWeights,
    earlyStop: early && { patience: num(early, 'patience', 3), minDelta: num(early, 'mindelta', 0), monitor: (early.monitor as Monitor | undefined) ?? 'val_loss', restore: early.restore === true },
    reduceLr: reduce && { factor: num(reduce, 'factor', 0.1), patience: num(reduce, 'patience', 2), min: num(reduce, 'min', 0), monitor: (reduce.monitor as Monitor | undefined) ?? 'val_loss' },
    checkpointMonitor: (get('checkpoint').monitor as Monitor | undefined) ?? TRAIN_DEFAULTS.checkpointMonitor,
    seed: bound.get('seed')?.value as number | undefined,
    limit: bound.get('limit')?.count as number | undefined,
    metrics: { top5: get('metrics').top5 === true },
    finetune: finetune && { epochs: finetune.epochs as number, lr: finetune.lr as number, unfreeze: finetune.unfreeze as number | string, span: spans.get('finetune')! },
    critical,
    ...(bound.has('devices') ? { devices: bound.get('devices')!.count as number, devicesSpan: spans.get('devices')! } : {}),
    precision: (bound.get('precision')?.mode as Precision | undefined) ?? 'fp32',
    ...(spans.has('precision') ? { precisionSpan: spans.get('precision')! } : {}),
  };
}
