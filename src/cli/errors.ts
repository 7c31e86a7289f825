/** An error meant for the user: printed without a stack trace, exit code 1. */
export class CliError extends Error {}
