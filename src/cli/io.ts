/**
 * What a CLI invocation reads and writes besides its files: the two output streams and the
 * environment. Commands take it as an argument instead of reaching for `process`, so the tests
 * can run the whole program in their own process (test/helpers/cli.ts runCliInProcess).
 */
import { fstatSync, writeSync } from 'node:fs';

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
  return { stdout: descriptorOutput(1, () => process.stdout), stderr: descriptorOutput(2, () => process.stderr), env: process.env };
}

/**
 * Writes to a pipe or file straight through its descriptor, and to anything else (a terminal)
 * through the process's stream. Node builds that stream on first use, about 2 ms of a short
 * command's start (`npm run bench:startup`); writes to pipes and files are synchronous either way.
 * A write the descriptor does not take whole (a full non-blocking pipe, EPIPE) hands over to the
 * stream, which then takes every later write and handles errors as it always did.
 */
function descriptorOutput(fd: 1 | 2, stream: () => NodeJS.WriteStream): CliOutput {
  let direct = isPipeOrFile(fd);
  return {
    write(text: string): boolean {
      if (!direct) return stream().write(text);
      const bytes = Buffer.from(text);
      let written = 0;
      try {
        while (written < bytes.length) written += writeSync(fd, bytes, written);
        return true;
      } catch {
        direct = false;
        return stream().write(bytes.subarray(written));
      }
    },
    get isTTY() {
      return direct ? false : stream().isTTY;
    },
    get columns() {
      return direct ? undefined : stream().columns;
    },
  };
}

/** Whether `fd` is a pipe, socket or regular file (not a terminal or a device). */
function isPipeOrFile(fd: number): boolean {
  try {
    const stats = fstatSync(fd);
    return stats.isFIFO() || stats.isSocket() || stats.isFile();
  } catch {
    return false;
  }
}
