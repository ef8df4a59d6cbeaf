import { InvalidArgumentError } from 'commander';

/** Commander parser for a whole number ≥ `min`, with an error naming what is expected. */
export function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min) {
      throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got "${value}"`);
    }
    return number;
  };
}

/** Commander parser for `--shard i/n` (1-based i), returned 0-based. */
export function shardOption(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new InvalidArgumentError(`expected i/n with 1 ≤ i ≤ n (e.g. 2/3), got "${value}"`);
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
