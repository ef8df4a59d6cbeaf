/**
 * A list of whole numbers (stream numbers) as a few ranges: "11–13, 29, 40–41 and 806 more". A
 * warning names where something happened without listing thousands of numbers on one line; the
 * full list stays in the data the warning points to.
 */

/** Runs of consecutive numbers, ascending: [first, last] each. */
function consecutiveRuns(numbers: readonly number[]): [number, number][] {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const value of sorted) {
    const last = runs.at(-1);
    if (last !== undefined && value === last[1] + 1) last[1] = value;
    else runs.push([value, value]);
  }
  return runs;
}

/** The numbers as at most `maxRanges` ranges ("a–b" or "a"), then "and N more" for the numbers not shown. */
export function describeNumberRanges(numbers: readonly number[], maxRanges: number): string {
  const runs = consecutiveRuns(numbers);
  const shown = runs.slice(0, Math.max(1, maxRanges));
  const text = shown.map(([first, last]) => (first === last ? `${first}` : `${first}–${last}`)).join(', ');
  const notShown = runs.slice(shown.length).reduce((sum, [first, last]) => sum + last - first + 1, 0);
  return notShown > 0 ? `${text} and ${notShown} more` : text;
}
