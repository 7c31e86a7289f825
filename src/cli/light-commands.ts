/**
 * The commands that run no model, and so load no TensorFlow.js: `summary` and `help`. Their own
 * bundle (src/cli/summary-main.ts, dist/convlab-summary.js) starts about as fast as Node does;
 * bin/convlab.js sends them there.
 */
import { parseArgs } from 'node:util';
import type { Command } from './command-line';
import { CliError } from './errors';
import { runSummary } from './summary';
import { USAGE } from './usage';

export const write = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

export const LIGHT_COMMANDS: Record<'summary' | 'help', Command> = {
  summary(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { model: { type: 'string' }, json: { type: 'boolean' } } });
    if (positionals.length !== 1) throw new CliError('usage: convlab summary FILE [--model NAME] [--json]');
    return runSummary(positionals[0]!, { model: values.model, json: values.json }, write);
  },
  help() {
    write(USAGE);
    return 0;
  },
};
