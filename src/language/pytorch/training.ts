import type { TrainSpec } from '../passes/train-spec';
import type { StateTensor } from './state';
import { py } from './windows';

/**
 * The train section's optimizer in PyTorch, computing ConvLab's update. ConvLab adds
 * decay/2 · Σ w² over the conv and dense kernels to the loss; its gradient, decay · w, is what
 * PyTorch's weight_decay=decay adds to the gradient, so the factor is 1, on the kernels alone
 * (not biases or batchnorm). The ε of Adam and RMSprop are TensorFlow.js' (1e-7), and RMSprop's
 * ρ (PyTorch's alpha) is 0.9.
 */
export function optimizerFactory(spec: TrainSpec, className: string, tensors: StateTensor[]): string[] {
  const o = spec.optimizer;
  const kernels = tensors.filter((t) => t.parameter && t.layout !== 'vector' && t.layout !== 'counter').map((t) => `"${t.key}"`);
  let make: string;
  switch (o.name) {
    case 'sgd':
      make = `torch.optim.SGD(groups, lr=${py(o.lr)}${o.momentum > 0 ? `, momentum=${py(o.momentum)}` : ''}${o.nesterov ? ', nesterov=True' : ''})`;
      break;
    case 'adam':
      make = `torch.optim.Adam(groups, lr=${py(o.lr)}, betas=(${py(o.beta1)}, ${py(o.beta2)}), eps=1e-7)`;
      break;
    case 'rmsprop':
      make = `torch.optim.RMSprop(groups, lr=${py(o.lr)}, alpha=0.9, eps=1e-7${o.momentum > 0 ? `, momentum=${py(o.momentum)}` : ''})`;
      break;
  }
  return [
    '',
    `KERNELS = {${kernels.join(', ')}}`,
    '',
    '',
    `def make_optimizer(model: ${className}) -> torch.optim.Optimizer:`,
    `    """The train section's optimizer (${o.name}, lr ${py(o.lr)}${o.decay > 0 ? `, decay ${py(o.decay)}` : ''}).`,
    '',
    '    ConvLab adds decay/2 * sum(w**2) over the conv and dense kernels to the loss; its gradient',
    '    decay * w is what weight_decay=decay adds, so the kernels get weight_decay=decay and the',
    '    biases and batchnorm none."""',
    '    named = [(name, p) for name, p in model.named_parameters() if p.requires_grad]',
    '    groups = [',
    `        {"params": [p for name, p in named if name in KERNELS], "weight_decay": ${py(o.decay)}},`,
    '        {"params": [p for name, p in named if name not in KERNELS], "weight_decay": 0.0},',
    '    ]',
    `    return ${make}`,
    '',
    `EPOCHS = ${spec.epochs}`,
    `BATCH_SIZE = ${spec.batch}`,
    `LABEL_SMOOTHING = ${py(spec.loss.labelSmoothing)}  # nn.CrossEntropyLoss(label_smoothing=LABEL_SMOOTHING)`,
  ];
}
