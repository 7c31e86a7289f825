// The light entry of the `convlab` command (see light-commands.ts); src/cli/main.ts is the full one.
import { runCommandLine } from './command-line';
import { LIGHT_COMMANDS } from './light-commands';

runCommandLine(LIGHT_COMMANDS, process.argv.slice(2));
