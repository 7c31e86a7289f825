import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError } from './errors';
import { DatasetError } from '../engine/data/index';
import { ModelFileError } from '../engine/model/model-file';
import { runCommandLine, type Command } from './command-line';
import { LIGHT_COMMANDS, write } from './light-commands';
import { BACKEND_NAMES, ENGINE_CHOICES, type BackendName, type EngineChoice } from '../protocol/engine';




// The commands that run a model load TensorFlow.js; they are imported when called, so that
// `summary` and `help` start as fast as Node does (bench/cli.bench.ts measures it).
const runTrain: typeof import('./train.js').runTrain = async (...args) => (await import('./train.js')).runTrain(...args);
const runInspect: typeof import('./inspect.js').runInspect = async (...args) => (await import('./inspect.js')).runInspect(...args);
const runEval: typeof import('./eval.js').runEval = async (...args) => (await import('./eval.js')).runEval(...args);
const runGradCam: typeof import('./gradcam.js').runGradCam = async (...args) => (await import('./gradcam.js')).runGradCam(...args);
const runServe: typeof import('./serve.js').runServe = async (...args) => (await import('./serve.js')).runServe(...args);
const serveEngine: typeof import('./serve-engine.js').serveEngine = async () => (await import('./serve-engine.js')).serveEngine();
const runExport: typeof import('./pytorch.js').runExport = async (...args) => (await import('./pytorch.js')).runExport(...args);
const runImportWeights: typeof import('./pytorch.js').runImportWeights = async (...args) => (await import('./pytorch.js')).runImportWeights(...args);

const commands: Record<string, Command> = {
  ...LIGHT_COMMANDS,
  train(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: {
        model: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' }, limit: { type: 'string' }, seed: { type: 'string' },
        'data-dir': { type: 'string' }, 'runs-dir': { type: 'string' }, backend: { type: 'string' }, 'native-dir': { type: 'string' },
        resume: { type: 'string' }, json: { type: 'boolean' }, workers: { type: 'string' }, engine: { type: 'string' }, python: { type: 'string' }, gpus: { type: 'string' }, 'gradient-flow': { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new CliError('usage: convlab train FILE [options] (convlab help lists them)');
    const backend = values.backend;
    if (backend !== undefined && !BACKEND_NAMES.includes(backend as BackendName)) throw new CliError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, not '${backend}'`);
    const engine = values.engine;
    if (engine !== undefined && !ENGINE_CHOICES.includes(engine as EngineChoice)) throw new CliError(`--engine must be one of ${ENGINE_CHOICES.join(', ')}, not '${engine}'`);
    return runTrain({
      engine: engine as EngineChoice | undefined, python: values.python, gpus: count(values.gpus, '--gpus'),
      file: positionals[0]!, model: values.model, epochs: count(values.epochs, '--epochs'), batch: count(values.batch, '--batch'),
      limit: count(values.limit, '--limit'), seed: count(values.seed, '--seed', 0), dataDir: values['data-dir'],
      runsDir: values['runs-dir'], backend: backend as BackendName | undefined, nativeDir: values['native-dir'], resume: values.resume, json: values.json,
      workers: count(values.workers, '--workers') ?? defaultWorkers(), gradientFlowInterval: count(values['gradient-flow'], '--gradient-flow', 0),
    });
  },
  inspect(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: { layer: { type: 'string' }, model: { type: 'string' }, run: { type: 'string' }, image: { type: 'string' }, sample: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' } },
    });
    if (positionals.length !== 1 || !values.layer) throw new CliError('usage: convlab inspect FILE --layer NAME [--run DIR] [--image PATH | --sample N] [--json]');
    if (values.image && values.sample) throw new CliError('give --image or --sample, not both');
    return runInspect({
      file: positionals[0]!, layer: values.layer, model: values.model, run: values.run, image: values.image,
      sample: count(values.sample, '--sample', 0), dataDir: values['data-dir'],
    }, values.json === true, write, values.out);
  },
  gradcam(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: {
        model: { type: 'string' }, run: { type: 'string' }, image: { type: 'string' }, sample: { type: 'string' }, layer: { type: 'string' },
        class: { type: 'string' }, out: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' },
      },
    });
    if (positionals.length !== 1) throw new CliError('usage: convlab gradcam FILE [--run DIR] [--image PATH | --sample N] [--layer NAME] [--class K] [--out FILE.png] [--json]');
    if (values.image && values.sample) throw new CliError('give --image or --sample, not both');
    return runGradCam({
      file: positionals[0]!, model: values.model, run: values.run, image: values.image, sample: count(values.sample, '--sample', 0),
      layer: values.layer, classIndex: count(values.class, '--class', 0), out: values.out, dataDir: values['data-dir'],
    }, values.json === true, write);
  },
  eval(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { data: { type: 'string' }, 'data-dir': { type: 'string' }, critical: { type: 'string', multiple: true }, backend: { type: 'string' }, json: { type: 'boolean' } } });
    if (positionals.length !== 1) throw new CliError('usage: convlab eval RUN_DIR [--data DIR|NAME] [--data-dir DIR] [--critical CLASS]... [--backend NAME] [--json]');
    const backend = values.backend;
    if (backend !== undefined && !BACKEND_NAMES.includes(backend as BackendName)) throw new CliError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, not '${backend}'`);
    return runEval(positionals[0]!, { data: values.data, dataDir: values['data-dir'], critical: values.critical, backend: backend as BackendName | undefined }, values.json === true, write);
  },
  serve(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: { port: { type: 'string' }, token: { type: 'string' }, 'refer-below': { type: 'string' }, temperature: { type: 'string' }, 'data-dir': { type: 'string' } },
    });
    if (positionals.length !== 1) throw new CliError('usage: convlab serve RUN_DIR [--port N] [--token T] [--refer-below P] [--temperature T] [--data-dir DIR]');
    const fraction = (value: string | undefined, flag: string, max: number) => {
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!(n > 0 && n <= max)) throw new CliError(`${flag} needs a number above 0 and at most ${max}, not '${value}'`);
      return n;
    };
    return runServe(positionals[0]!, {
      port: count(values.port, '--port', 0), token: values.token, referBelow: fraction(values['refer-below'], '--refer-below', 1),
      temperature: fraction(values.temperature, '--temperature', 100), dataDir: values['data-dir'],
    }, write);
  },
  export(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { model: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, run: { type: 'string' } } });
    if (positionals.length !== 1) throw new CliError('usage: convlab export FILE --to pytorch [--model NAME] [--out DIR] [--run DIR]');
    return runExport({ file: positionals[0]!, model: values.model, to: values.to, out: values.out, run: values.run }, write);
  },
  'import-weights'(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { model: { type: 'string' }, torchvision: { type: 'string' }, 'runs-dir': { type: 'string' } } });
    const expected = values.torchvision ? [0, 1] : [2];
    if (!expected.includes(positionals.length)) throw new CliError('usage: convlab import-weights FILE STATE_DICT [--model NAME] [--runs-dir DIR], or convlab import-weights [FILE] --torchvision NAME');
    return runImportWeights({ file: positionals[0], weights: positionals[1], torchvision: values.torchvision, model: values.model, runsDir: values['runs-dir'] }, write, samplePath('.'));
  },
  'serve-engine'() {
    return serveEngine();
  },
  start() {
    return runTrain({ file: samplePath('lenet5.cnn'), workers: defaultWorkers() });
  },
};

/**
 * Training replicas on the single-threaded CPU backends: two where there are two cores. Two is
 * what was measured (LeNet-5: 1.35× over one thread on a 2-core machine); more would split small
 * batches into shares too small to pay for their synchronisation.
 */
function defaultWorkers(): number {
  return Math.min(2, availableParallelism());
}

function count(value: string | undefined, flag: string, least = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < least) throw new CliError(`${flag} needs a whole number of at least ${least}, not '${value}'`);
  return n;
}

function samplePath(name: string): string {
  // dist/convlab.js sits one folder below the package root.
  return join(__dirname, '..', 'samples', name);
}

runCommandLine(commands, process.argv.slice(2), (error) => error instanceof ModelFileError || error instanceof DatasetError);
