import { InvalidArgumentError } from './commander.js';

/** Commander parser for a whole number from `min` to `max` (with why `max`), with an error naming what is expected. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER, why = ''): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min) {
      throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got "${value}"`);
    }
    if (number > max) throw new InvalidArgumentError(`at most ${max.toLocaleString('en-US')}${why ? ` (${why})` : ''}, got "${value}"`);
    return number;
  };
}

/**
 * Where `--shard env` reads its share, 0-based index of count: the index from a Kubernetes
 * Indexed Job (JOB_COMPLETION_INDEX, set by Kubernetes) or from STREAMBENCH_SHARD_INDEX (a
 * GitHub Actions matrix sets it from `strategy.job-index`); the count from
 * STREAMBENCH_SHARD_COUNT (the Job's `completions`, or `strategy.job-total`).
 */
export const SHARD_ENVIRONMENT = { index: ['STREAMBENCH_SHARD_INDEX', 'JOB_COMPLETION_INDEX'], count: 'STREAMBENCH_SHARD_COUNT' } as const;

/** The shard (0-based index, count) the environment names for `--shard env`; throws naming the variable and the fix. */
export function shardFromEnvironment(environment: NodeJS.ProcessEnv): { index: number; count: number } {
  const indexes = SHARD_ENVIRONMENT.index.filter((name) => environment[name] !== undefined && environment[name] !== '').map((name) => ({ name, value: environment[name]!.trim() }));
  if (indexes.length === 0) {
    throw new InvalidArgumentError(
      `--shard env needs the shard's 0-based index in ${SHARD_ENVIRONMENT.index.join(' or ')} (Kubernetes Indexed Jobs set JOB_COMPLETION_INDEX; in a GitHub Actions matrix set STREAMBENCH_SHARD_INDEX: \${{ strategy.job-index }}); neither is set`,
    );
  }
  const [first, second] = indexes;
  if (first === undefined) throw new Error('unreachable: indexes is not empty');
  if (second !== undefined && first.value !== second.value) {
    throw new InvalidArgumentError(`--shard env: ${first.name}=${first.value} and ${second.name}=${second.value} disagree; unset one of them`);
  }
  const countText = environment[SHARD_ENVIRONMENT.count]?.trim();
  if (!countText) {
    throw new InvalidArgumentError(
      `--shard env needs the number of shards in ${SHARD_ENVIRONMENT.count} (set it to the Job's completions, or \${{ strategy.job-total }} in a GitHub Actions matrix)`,
    );
  }
  const { name, value } = first;
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`--shard env: ${name} must be a whole number ≥ 0 (0-based), got "${value}"`);
  if (!/^\d+$/.test(countText) || Number(countText) < 1) throw new InvalidArgumentError(`--shard env: ${SHARD_ENVIRONMENT.count} must be a whole number ≥ 1, got "${countText}"`);
  const index = Number(value);
  const count = Number(countText);
  if (index >= count) throw new InvalidArgumentError(`--shard env: ${name}=${index} is not below ${SHARD_ENVIRONMENT.count}=${count} (the index is 0-based)`);
  return { index, count };
}

/** Commander parser for `--shard i/n` (1-based i) or `--shard env` (see shardFromEnvironment, read from `env`), returned 0-based. */
export function shardOption(env: NodeJS.ProcessEnv): (value: string) => { index: number; count: number } {
  return (value) => parseShard(value, env);
}

function parseShard(value: string, env: NodeJS.ProcessEnv): { index: number; count: number } {
  if (value.trim() === 'env') return shardFromEnvironment(env);
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new InvalidArgumentError(`expected i/n with 1 ≤ i ≤ n (e.g. 2/3), or env, got "${value}"`);
  }
  return { index: index - 1, count };
}

/** Commander parser for a share from 0 to 1 (`--fail-rate`). */
export function shareOfOne(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) {
    throw new InvalidArgumentError(`expected a number from 0 to 1, got "${value}"`);
  }
  return number;
}
