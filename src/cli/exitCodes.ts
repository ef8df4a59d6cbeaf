/** Exit codes, distinct so CI can tell a breached rule from bad input from a failed run. */
export const EXIT = {
  ok: 0,
  /** A regression rule was breached. */
  regression: 1,
  /** Usage error or invalid input (flag, scenario, result file). */
  usage: 2,
  /** The run could not complete: at least one config errored. */
  runFailed: 3,
  /** Interrupted by SIGINT/SIGTERM (partial results were written). */
  interrupted: 130,
} as const;

/** An error the CLI reports as one message and an exit code, without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}
