/**
 * What a CLI invocation reads and writes besides its files: the two output streams and the
 * environment. Commands take it as an argument instead of reaching for `process`, so the tests
 * can run the whole program in their own process (test/helpers/cli.ts runCliInProcess).
 */

/** A stream a command writes to (process.stdout / process.stderr, or a test's buffer). */
export interface CliOutput {
  write(text: string): boolean;
  /** true on a terminal: a progress bar, and tables fitted to `columns`. */
  isTTY?: boolean;
  columns?: number;
}

/** The streams and environment of one CLI invocation. */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  /** Variables the commands read (REDIS_URL, COLUMNS, --shard env, --api-key-env, PATH for redis-server). */
  env: NodeJS.ProcessEnv;
}

/** The io of the real process: its streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
