import { describe, expect, it } from 'vitest';
import { heldSummary, levelVerdict, mostHeld, nextSearchLevel, type SearchStep } from '../src/bench/floor/concurrencySearch.js';

const bounds = { maxStreams: 1600, resolution: 50, maxSteps: 10 };

/** Runs the search against a tool that holds the plan up to `capacity` streams. */
function searchFor(capacity: number, start: SearchStep[] = []): { steps: SearchStep[]; held: number | null } {
  const steps = [...start];
  for (let level = nextSearchLevel(steps, bounds); level !== null; level = nextSearchLevel(steps, bounds)) steps.push({ streams: level, held: level <= capacity });
  return { steps, held: mostHeld(steps) };
}

describe('the concurrency search of bench:floor', () => {
  it('doubles while the plan holds, then bisects to the resolution', () => {
    const { steps, held } = searchFor(700, [
      { streams: 100, held: true },
      { streams: 300, held: true },
    ]);
    expect(steps.map((step) => step.streams)).toEqual([100, 300, 600, 1200, 900, 750, 700]);
    expect(held).toBe(700);
  });

  it('searches below the first level when even that misses, and says none held when nothing did', () => {
    expect(searchFor(60).held).toBe(50);
    expect(searchFor(10).held).toBeNull();
  });

  it('stops at the bound and after the most steps allowed', () => {
    const { steps, held } = searchFor(10_000);
    expect(steps.at(-1)!.streams).toBe(1600);
    expect(held).toBe(1600);
    expect(nextSearchLevel([{ streams: 100, held: true }], { ...bounds, maxSteps: 1 })).toBeNull();
  });

  it('takes a level that missed in any round as missed', () => {
    expect(
      mostHeld([
        { streams: 100, held: true },
        { streams: 300, held: true },
        { streams: 300, held: false },
      ]),
    ).toBe(100);
  });
});

describe('the verdict of a level from its tries', () => {
  it('is the majority of at most three tries, undecided until then', () => {
    expect(levelVerdict([], 3)).toBeNull();
    expect(levelVerdict([true], 3)).toBeNull();
    expect(levelVerdict([false], 3)).toBeNull();
    expect(levelVerdict([true, true], 3)).toBe(true);
    expect(levelVerdict([false, false], 3)).toBe(false);
    expect(levelVerdict([true, false], 3)).toBeNull();
    expect(levelVerdict([true, false, true], 3)).toBe(true);
    expect(levelVerdict([false, true, false], 3)).toBe(false);
  });

  it('takes one try as the verdict when one try is all a level gets', () => {
    expect(levelVerdict([true], 1)).toBe(true);
    expect(levelVerdict([false], 1)).toBe(false);
  });

  it('counts every try when more were made than the most (rounds of the fixed levels)', () => {
    expect(levelVerdict([true, true, false, false], 3)).toBeNull();
    expect(levelVerdict([true, true, false, false, false], 3)).toBe(false);
    expect(levelVerdict([true, false, true, true, false], 3)).toBe(true);
  });
});

describe('the held-on-plan line over several searches', () => {
  it('gives the median, the range and how many searches met the target', () => {
    expect(heldSummary([1.71, 0.63, 1.29])).toBe(
      'Most concurrent streams held on plan over 3 searches: median 1.29× the floor (0.63–1.71×; target ≥ 0.8×) — target met in 2 of 3 searches: they disagree, so this machine cannot decide it',
    );
    expect(heldSummary([1, 0.9])).toBe('Most concurrent streams held on plan over 2 searches: median 0.95× the floor (0.90–1.00×; target ≥ 0.8×) — target met in every search');
    expect(heldSummary([0.5, 0.5, 0.75])).toContain('median 0.50× the floor (0.50–0.75×; target ≥ 0.8×) — target missed in every search');
  });

  it('counts a search in which a tool held no level apart, and never calls it met', () => {
    expect(heldSummary([1.2, null])).toBe(
      'Most concurrent streams held on plan over 2 searches: median 1.20× the floor (1.20–1.20×; 1 without a ratio; target ≥ 0.8×) — target met in 1 of 2 searches: they disagree, so this machine cannot decide it',
    );
    expect(heldSummary([0.4, null])).toContain('target missed in every search with a ratio');
    expect(heldSummary([null, null])).toBe('Most concurrent streams held on plan over 2 searches: n/a (in every search a tool held no level)');
  });
});
