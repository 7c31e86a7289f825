import type { EngineChoice, EngineName } from '../../../protocol/engine';
import { ModelFileError } from '../../model/model-file';
import { describeDevices, findTrainingPython, type TorchDevices } from './discovery';

export interface EngineDecision {
  engine: EngineName;
  /** Why, in a sentence: what was asked, what was found. */
  reason: string;
  python?: TorchDevices;
}

/**
 * `tfjs` and `pytorch` are taken as asked (pytorch fails with what was tried when no Python has
 * torch); `auto` picks pytorch only where a Python with torch sees a CUDA or MPS device, since
 * on a CPU the tfjs engine needs no Python and trains LeNet-5 as fast.
 */
export function chooseEngine(choice: EngineChoice, pythonOption?: string, places?: readonly string[]): EngineDecision {
  if (choice === 'tfjs') return { engine: 'tfjs', reason: 'engine tfjs, as asked' };
  const search = findTrainingPython(pythonOption, places);
  if (choice === 'pytorch') {
    if (!search.found) throw new EngineChoiceError(`--engine pytorch: no Python with torch found (tried ${search.tried.join('; ')}); install PyTorch or give --python PATH (the convlab.pythonPath setting)`);
    return { engine: 'pytorch', reason: `engine pytorch, as asked: ${search.found.python} has torch ${search.found.torch} and ${describeDevices(search.found)}`, python: search.found };
  }
  if (!search.found) return { engine: 'tfjs', reason: `engine auto chose tfjs: no Python with torch (tried ${search.tried.join('; ')})` };
  const found = search.found;
  if (found.cuda || found.mps) return { engine: 'pytorch', reason: `engine auto chose pytorch: ${found.python} has torch ${found.torch} and ${describeDevices(found)}`, python: found };
  return { engine: 'tfjs', reason: `engine auto chose tfjs: ${found.python} has torch ${found.torch} but ${describeDevices(found)}` };
}

/** A user's error (no Python with torch for --engine pytorch), printed without a stack. */
export class EngineChoiceError extends ModelFileError {
  constructor(message: string) {
    super(message);
    this.name = 'EngineChoiceError';
  }
}
