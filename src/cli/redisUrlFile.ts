/**
 * `--redis-file PATH`: the Redis URL read from a file, so a password is not on the command
 * line (where `ps` shows it to every user of the machine). `REDIS_URL` with `--redis auto` is
 * the other way.
 */
import { readFile, stat } from 'node:fs/promises';
import { CliError } from './exitCodes.js';

/** The URL in `path` (its first non-empty line, trimmed); a CliError naming the flag when unreadable. */
export async function readRedisUrlFile(path: string): Promise<string> {
  try {
    const entry = await stat(path);
    if (!entry.isFile() || entry.size > 64 * 1024) throw new CliError(`--redis-file ${path}: not a regular file of at most 64 kB holding one Redis URL`);
    const url = (await readFile(path, 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '');
    if (url === undefined) throw new CliError(`--redis-file ${path}: the file is empty; write one redis:// URL in it`);
    return url;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`--redis-file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Resolves `--redis` / `--redis-file` into the one `--redis` value (both given is an error). */
export async function redisOption(options: { redis?: string; redisFile?: string }): Promise<string | undefined> {
  if (options.redisFile === undefined) return options.redis;
  if (options.redis !== undefined && options.redis !== 'auto') throw new CliError('--redis and --redis-file both name a Redis: give one of them');
  return readRedisUrlFile(options.redisFile);
}
