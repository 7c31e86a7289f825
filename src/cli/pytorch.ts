import { exportToPytorch, importWeights } from '../engine/pytorch/exchange';
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
export async function runImportWeights(options: { file: string; model?: string; weights: string; runsDir?: string }, out: (text: string) => void): Promise<number> {
  const runDir = await importWeights(options);
  out(`imported ${options.weights} into ${runDir}`);
  out('feature maps, inspect, eval, gradcam and serve read it as a trained run');
  return 0;
}
