import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../backends/tf';

/** What a checkpoint folder holds besides the weights: enough to resume where training stopped. */
export interface TrainingState {
  /** Epochs completed (0-based index of the epoch to run next), and batches done in it. */
  epoch: number;
  batchesDone: number;
  learningRate: number;
  trainingSeconds: number;
  schedule: Record<string, unknown>;
  metrics?: Record<string, number | undefined>;
  /** The transfer-learning stage (0-based) whose optimizer state was saved with it. */
  stage?: number;
}

interface SavedFiles {
  'model.json': string;
  'weights.bin': Uint8Array;
  'optimizer.json'?: string;
  'optimizer.bin'?: Uint8Array;
  'state.json': string;
}

/**
 * Writes a checkpoint folder atomically: a complete copy is written beside it and swapped in by
 * renames, so a crash or a cancel never leaves a half-written checkpoint where `last/` or
 * `best/` should be. The layout is TensorFlow.js' own (model.json + weights.bin), so
 * tf.loadLayersModel reads it too.
 */
export async function saveCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer | undefined, state: TrainingState): Promise<void> {
  const files: Partial<SavedFiles> = {};
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
    files['weights.bin'] = new Uint8Array(weights);
    files['model.json'] = JSON.stringify({
      format: 'layers-model',
      generatedBy: 'ConvLab',
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    });
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (optimizer) {
    const named = await optimizer.getWeights();
    const encoded = await tf.io.encodeWeights(named);
    // getWeights makes a fresh scalar for the iteration count; the moments are the live variables.
    named.forEach(({ tensor }) => {
      if (!(tensor instanceof tf.Variable)) tensor.dispose();
    });
    files['optimizer.bin'] = new Uint8Array(tf.io.CompositeArrayBuffer.join(encoded.data));
    files['optimizer.json'] = JSON.stringify({ className: optimizer.getClassName(), specs: encoded.specs });
  }
  files['state.json'] = JSON.stringify(state, null, 2);
  writeAtomically(dir, files as SavedFiles);
}

function writeAtomically(dir: string, files: SavedFiles): void {
  const staging = `${dir}.writing`;
  const previous = `${dir}.previous`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const [name, content] of Object.entries(files)) if (content !== undefined) writeFileSync(join(staging, name), content);
  rmSync(previous, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, previous);
  renameSync(staging, dir);
  rmSync(previous, { recursive: true, force: true });
}

/** The folder to read: `dir`, or its previous copy if a crash came between the two renames. */
function readableCheckpoint(dir: string): string {
  if (existsSync(join(dir, 'model.json'))) return dir;
  if (existsSync(join(`${dir}.previous`, 'model.json'))) return `${dir}.previous`;
  throw new Error(`${dir}: no checkpoint here (model.json is missing)`);
}

export async function loadCheckpointModel(dir: string): Promise<tf.LayersModel> {
  const folder = readableCheckpoint(dir);
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const weightData = new Uint8Array(readFileSync(join(folder, 'weights.bin'))).buffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData }));
}

/** Copies a checkpoint's weights into a model of the same architecture (restore-best, resume). */
export async function loadCheckpointWeights(dir: string, model: tf.LayersModel, renamed: ReadonlyMap<string, string> = new Map()): Promise<void> {
  const saved = await loadCheckpointModel(dir);
  const present = new Set(model.layers.map((l) => l.name));
  // Layer by layer: a model lists trainable weights first, so its order changes when a stage
  // of transfer learning freezes or thaws layers; each layer's own order does not.
  try {
    for (const layer of saved.layers) {
      if (layer.weights.length > 0) model.getLayer(present.has(layer.name) ? layer.name : currentName(layer.name, renamed)).setWeights(layer.getWeights());
    }
  } finally {
    saved.dispose();
  }
}

/** A layer's name in a checkpoint saved before its node was renamed (`conv_18.relu` → `fire2.conv_1.relu`). */
function currentName(saved: string, renamed: ReadonlyMap<string, string>): string {
  const dot = saved.indexOf('.');
  const head = dot < 0 ? saved : saved.slice(0, dot);
  const now = renamed.get(head);
  return now === undefined ? saved : now + saved.slice(head.length);
}

export async function loadOptimizerState(dir: string, optimizer: tf.Optimizer): Promise<boolean> {
  const folder = readableCheckpoint(dir);
  const specPath = join(folder, 'optimizer.json');
  if (!existsSync(specPath)) return false;
  const { className, specs } = JSON.parse(readFileSync(specPath, 'utf8')) as { className: string; specs: tf.io.WeightsManifestEntry[] };
  if (className !== optimizer.getClassName()) return false;
  const data = new Uint8Array(readFileSync(join(folder, 'optimizer.bin'))).buffer;
  const tensors = tf.io.decodeWeights(data, specs);
  await optimizer.setWeights(specs.map((spec) => ({ name: spec.name, tensor: tensors[spec.name]! })));
  return true;
}

export function loadTrainingState(dir: string): TrainingState {
  return JSON.parse(readFileSync(join(readableCheckpoint(dir), 'state.json'), 'utf8')) as TrainingState;
}
