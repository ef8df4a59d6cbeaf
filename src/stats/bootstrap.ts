/**
 * Bootstrap confidence interval of the difference of medians (head − base) between two small
 * samples. Seeded, so the same inputs always give the same interval: a CI gate must not
 * change its verdict when re-run on the same files.
 */
import { createRandom, deriveSeed } from '../sources/random.js';
import { medianOfSorted, sortedCopy } from './sampleStats.js';

/** The point estimate and the percentile interval around it. */
export interface MedianDifferenceInterval {
  /** median(head) − median(base) on the samples as measured. */
  estimate: number;
  low: number;
  high: number;
  /** Confidence level of [low, high], e.g. 0.95. */
  confidence: number;
  resamples: number;
  /** True when stream i of base was resampled together with stream i of head. */
  paired: boolean;
}

/** How to resample. */
export interface BootstrapOptions {
  /**
   * Resample pairs (base[i], head[i]) together. Right when stream i of both runs had the same
   * text and timing (same seed and source): the source's own variation between streams then
   * cancels out and only the pipeline's change remains.
   */
  paired: boolean;
  /** Seed of the resampling; derive it from what is compared so each metric gets its own draws. */
  seed: number;
  resamples?: number;
  confidence?: number;
}

export const DEFAULT_RESAMPLES = 2000;
export const DEFAULT_CONFIDENCE = 0.95;

/** Percentile bootstrap CI of median(head) − median(base); throws on empty input or unequal paired lengths. */
export function bootstrapMedianDifference(base: readonly number[], head: readonly number[], options: BootstrapOptions): MedianDifferenceInterval {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  if (base.length === 0 || head.length === 0) throw new RangeError('bootstrapMedianDifference: both samples need at least one value');
  if (options.paired && base.length !== head.length) {
    throw new RangeError(`bootstrapMedianDifference: paired samples need equal lengths, got ${base.length} and ${head.length}`);
  }
  const random = createRandom(deriveSeed(options.seed, 'bootstrap-median-difference'));
  const estimate = medianOfSorted(sortedCopy(head)) - medianOfSorted(sortedCopy(base));
  const differences = new Float64Array(resamples);
  // Each resample draws ranks, not values: rank k stands for the k-th smallest sample, so a draw
  // of ranks sorts as its values do, and its median is read from the sorted samples (the same
  // doubles, the same sum for an even count). Integers sort and copy without boxing doubles while
  // the loop still runs unoptimized: compare's garbage collection halved and compare ~12 % faster
  // (npm run bench:startup side by side).
  const baseSorted = numericallySorted(base);
  const headSorted = numericallySorted(head);
  const baseRanks = ranksOf(base);
  const headRanks = ranksOf(head);
  const baseDraw = new Int32Array(base.length);
  const headDraw = new Int32Array(head.length);
  const baseIndexes = new Int32Array(base.length);
  // Paired: one index per pair, drawn once for both sides.
  const headIndexes = options.paired ? baseIndexes : new Int32Array(head.length);
  for (let r = 0; r < resamples; r++) {
    // The same draws, in the same order, as random.int(0, n - 1) per stream: base's, then head's.
    random.fillIndexes(baseIndexes, base.length);
    if (!options.paired) random.fillIndexes(headIndexes, head.length);
    for (let i = 0; i < base.length; i++) baseDraw[i] = baseRanks[baseIndexes[i]!]!;
    for (let i = 0; i < head.length; i++) headDraw[i] = headRanks[headIndexes[i]!]!;
    sortRanks(baseDraw);
    sortRanks(headDraw);
    differences[r] = medianOfDraw(headSorted, headDraw) - medianOfDraw(baseSorted, baseDraw);
  }
  differences.sort();
  const tail = (1 - confidence) / 2;
  return {
    estimate,
    low: quantileOfSorted(differences, tail),
    high: quantileOfSorted(differences, 1 - tail),
    confidence,
    resamples,
    paired: options.paired,
  };
}

/** The samples in TypedArray#sort's numeric order (-0 before +0). */
function numericallySorted(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** Whether `a` sorts before `b` in TypedArray#sort's numeric order (-0 before +0; samples hold no NaN). */
function sortsBefore(a: number, b: number): boolean {
  return a < b || (a === 0 && b === 0 && Object.is(a, -0) && !Object.is(b, -0));
}

/** For each sample, its position in numericallySorted(values) (equal values get distinct, adjacent ranks). */
function ranksOf(values: readonly number[]): Int32Array {
  const order = values.map((_, index) => index).sort((a, b) => (sortsBefore(values[a]!, values[b]!) ? -1 : sortsBefore(values[b]!, values[a]!) ? 1 : a - b));
  const ranks = new Int32Array(values.length);
  order.forEach((index, rank) => (ranks[index] = rank));
  return ranks;
}

/** Draws up to this long are sorted by insertion: no allocation, where TypedArray#sort copies the array each call. */
const INSERTION_SORT_MAX = 48;

/** Sorts a draw of ranks in place, ascending. */
function sortRanks(draw: Int32Array): void {
  if (draw.length > INSERTION_SORT_MAX) {
    draw.sort();
    return;
  }
  for (let i = 1; i < draw.length; i++) {
    const value = draw[i]!;
    let j = i - 1;
    while (j >= 0 && draw[j]! > value) {
      draw[j + 1] = draw[j]!;
      j--;
    }
    draw[j + 1] = value;
  }
}

/** Median of the values a sorted, non-empty draw of ranks stands for (mean of the middle two for an even count), as medianOfSorted. */
function medianOfDraw(sorted: Float64Array, draw: Int32Array): number {
  const middle = draw.length >> 1;
  // In range: the draw is non-empty and its ranks index `sorted`.
  return draw.length % 2 === 1 ? sorted[draw[middle]!]! : (sorted[draw[middle - 1]!]! + sorted[draw[middle]!]!) / 2;
}

/** Linear-interpolated quantile q (0–1) of sorted values. */
function quantileOfSorted(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const low = sorted[lower];
  const high = sorted[upper];
  if (low === undefined || high === undefined) return Number.NaN;
  return low + (high - low) * (position - lower);
}
