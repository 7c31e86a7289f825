import { CliError } from './errors';
import { USAGE, usageOf } from './usage';

export type Command = (args: string[]) => Promise<number> | number;

/**
 * Runs `argv`'s command and sets the exit code. An error meant for the user (a CliError, a
 * bad option, or what `isUserError` accepts) prints as `convlab: MESSAGE`; anything else is
 * an internal error with its stack.
 */
export function runCommandLine(commands: Record<string, Command>, argv: string[], isUserError: (error: unknown) => boolean = () => false): void {
  const run = async (): Promise<number> => {
    const [name = 'help', ...rest] = argv;
    const command = commands[name === '--help' || name === '-h' ? 'help' : name];
    if (!command) throw new CliError(`unknown command '${name}'\n\n${USAGE}`);
    // `convlab inspect --help`: that command's lines of the usage, before its options are parsed.
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${usageOf(name)}\n`);
      return 0;
    }
    return command(rest);
  };
  run().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof CliError || isUserError(error) || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
        process.stderr.write(`convlab: ${(error as Error).message}\n`);
      } else {
        process.stderr.write(`convlab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      }
      process.exitCode = 1;
    },
  );
}
