/** Command-line values of the benchmark scripts. */

/** `text` as a whole number ≥ 1, or exit 2 naming `flag` (a benchmark with a bad option measures nothing). */
export function wholeNumberFlag(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`${flag} must be a whole number ≥ 1 (got "${text}")\n`);
    process.exit(2);
  }
  return value;
}
