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
