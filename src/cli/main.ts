import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError } from './errors';
import { runSummary } from './summary';

const USAGE = `convlab: explore, train and teach convolutional networks

Usage:
  convlab summary FILE [--model NAME] [--json]   layer table: shapes, parameters, multiply-adds
  convlab start                                   the main job (LeNet-5 on MNIST)
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
  start() {
    return runSummary(samplePath('lenet5.cnn'), {}, write);
  },
  help() {
    write(USAGE);
    return 0;
  },
};

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
    if (error instanceof CliError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`convlab: ${error.message}\n`);
    } else {
      process.stderr.write(`convlab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 1;
  },
);
