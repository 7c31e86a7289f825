import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError } from './errors';
import { DatasetError } from '../engine/data/index';
import { ModelFileError } from '../engine/model/model-file';
import { runTrain } from './train';
import { runSummary } from './summary';
import { runInspect } from './inspect';
import { runEval } from './eval';
import { runGradCam } from './gradcam';
import { runServe } from './serve';
import { serveEngine } from './serve-engine';
import { BACKEND_NAMES, type BackendName } from '../protocol/engine';

const USAGE = `convlab: explore, train and teach convolutional networks

Usage:
  convlab summary FILE [--model NAME] [--json]   layer table: shapes, parameters, multiply-adds
  convlab train FILE [--model NAME] [--epochs N] [--batch N] [--limit N] [--seed N]
                [--data-dir DIR] [--runs-dir DIR] [--backend NAME] [--native-dir DIR]
                [--resume RUN_DIR] [--workers N (default: 2 on 2+ cores)] [--json]
                                                  train a model as its train section says
  convlab inspect FILE --layer NAME [--model NAME] [--run DIR] [--image PATH | --sample N]
                [--data-dir DIR] [--json]               a layer's filters and feature maps
  convlab gradcam FILE [--run DIR] [--image PATH | --sample N] [--layer NAME] [--class K]
                [--out FILE.png] [--json]          Grad-CAM: where the model looked for a class
  convlab eval RUN [--data DIR|NAME] [--data-dir DIR] [--critical CLASS]... [--backend NAME] [--json]
                                                  a finished run on its test split: accuracy,
                                                  confusion matrix, per-class scores, calibration
  convlab serve RUN [--port N] [--token T] [--refer-below P] [--temperature T] [--data-dir DIR]
                                                  prediction service on 127.0.0.1
  convlab serve-engine                            JSON-lines engine on stdio (for the extension)
  convlab start                                   the main job: LeNet-5 on MNIST
  convlab help                                    this text

Model files use the .cnn language: see docs/language.md.`;

type Command = (args: string[]) => Promise<number> | number;

const write = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

const commands: Record<string, Command> = {
  summary(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { model: { type: 'string' }, json: { type: 'boolean' } } });
    if (positionals.length !== 1) throw new CliError('usage: convlab summary FILE [--model NAME] [--json]');
    return runSummary(positionals[0]!, { model: values.model, json: values.json }, write);
  },
  train(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: {
        model: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' }, limit: { type: 'string' }, seed: { type: 'string' },
        'data-dir': { type: 'string' }, 'runs-dir': { type: 'string' }, backend: { type: 'string' }, 'native-dir': { type: 'string' },
        resume: { type: 'string' }, json: { type: 'boolean' }, workers: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new CliError('usage: convlab train FILE [options] (convlab help lists them)');
    const backend = values.backend;
    if (backend !== undefined && !BACKEND_NAMES.includes(backend as BackendName)) throw new CliError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, not '${backend}'`);
    return runTrain({
      file: positionals[0]!, model: values.model, epochs: count(values.epochs, '--epochs'), batch: count(values.batch, '--batch'),
      limit: count(values.limit, '--limit'), seed: count(values.seed, '--seed', 0), dataDir: values['data-dir'],
      runsDir: values['runs-dir'], backend: backend as BackendName | undefined, nativeDir: values['native-dir'], resume: values.resume, json: values.json,
      workers: count(values.workers, '--workers') ?? defaultWorkers(),
    });
  },
  inspect(args) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: { layer: { type: 'string' }, model: { type: 'string' }, run: { type: 'string' }, image: { type: 'string' }, sample: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
    });
    if (positionals.length !== 1 || !values.layer) throw new CliError('usage: convlab inspect FILE --layer NAME [--run DIR] [--image PATH | --sample N] [--json]');
    if (values.image && values.sample) throw new CliError('give --image or --sample, not both');
    return runInspect({
      file: positionals[0]!, layer: values.layer, model: values.model, run: values.run, image: values.image,
      sample: count(values.sample, '--sample', 0), dataDir: values['data-dir'],
    }, values.json === true, write);
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
  'serve-engine'() {
    return serveEngine();
  },
  start() {
    return runTrain({ file: samplePath('lenet5.cnn'), workers: defaultWorkers() });
  },
  help() {
    write(USAGE);
    return 0;
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

async function main(argv: string[]): Promise<number> {
  const [name = 'help', ...rest] = argv;
  if (name === '--help' || name === '-h') return commands.help!([]);
  const command = commands[name];
  if (!command) throw new CliError(`unknown command '${name}'\n\n${USAGE}`);
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError || error instanceof ModelFileError || error instanceof DatasetError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`convlab: ${error.message}\n`);
    } else {
      process.stderr.write(`convlab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 1;
  },
);
