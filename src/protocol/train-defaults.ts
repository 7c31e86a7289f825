/**
 * What a `train` section means where it says nothing, once for the language (which fills in a
 * TrainSpec), the engine (a model trained without a train section, and the seed) and the docs.
 */
export const TRAIN_DEFAULTS = {
  epochs: 10,
  batch: 32,
  /** The seed of weights, shuffling, holdout and augmentation when the section sets none. */
  seed: 42,
  optimizer: 'adam',
  learningRate: { sgd: 0.01, adam: 0.001, rmsprop: 0.001 },
  /** SGD without momentum unless asked; RMSprop's rho-style momentum 0.9. */
  momentum: { sgd: 0, adam: 0.9, rmsprop: 0.9 },
  beta1: 0.9,
  beta2: 0.999,
  validationFraction: 0.1,
  checkpointMonitor: 'val_loss',
} as const;
