import { exportToPytorch, importWeights } from '../engine/pytorch/exchange';
import { join } from 'node:path';
import { TORCHVISION_NETWORKS, torchvisionWeights } from '../engine/pytorch/torchvision';
import { CliError } from './errors';

/** `convlab export FILE --to pytorch`: the module's code, and with --run its weights. */
export async function runExport(options: { file: string; model?: string; to?: string; out?: string; run?: string }, out: (text: string) => void): Promise<number> {
  if (options.to !== 'pytorch') throw new CliError(`convlab export needs --to pytorch${options.to ? ` (not '${options.to}')` : ''}: PyTorch is the one target`);
  const { files, module } = await exportToPytorch({ file: options.file, model: options.model, out: options.out ?? '.', run: options.run });
  out(`${module.className}: ${module.parameterCount.toLocaleString('en-US')} parameters, ${module.tensors.length} state_dict tensors`);
  for (const file of files) out(`wrote ${file}`);
  return 0;
}

/** `convlab import-weights FILE STATE_DICT`: a run folder with PyTorch's weights. */
export async function runImportWeights(options: { file?: string; model?: string; weights?: string; torchvision?: string; runsDir?: string }, out: (text: string) => void, samplesDir: string): Promise<number> {
  if ((options.weights === undefined) === (options.torchvision === undefined)) throw new CliError('give a STATE_DICT file or --torchvision NAME (one of them)');
  let { weights, file, model } = options;
  if (options.torchvision !== undefined) {
    const fetched = torchvisionWeights(options.torchvision);
    weights = fetched.file;
    const network = TORCHVISION_NETWORKS[options.torchvision]!;
    file ??= join(samplesDir, network.sample);
    model ??= file.endsWith(network.sample) ? network.model : undefined;
    out(`torchvision ${options.torchvision}: ${weights}`);
    if (fetched.note) out(`note: ${fetched.note}`);
  }
  if (file === undefined) throw new CliError('usage: convlab import-weights FILE STATE_DICT [--model NAME] [--runs-dir DIR]');
  const runDir = await importWeights({ file, model, weights: weights!, byOrder: options.torchvision !== undefined, runsDir: options.runsDir });
  out(`imported ${weights} into ${runDir}`);
  out('feature maps, inspect, eval, gradcam and serve read it as a trained run');
  return 0;
}
