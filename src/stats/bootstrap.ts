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
  // Draws live in typed arrays reused by every resample, sorted numerically (sortDraw): `compare`
  // feels this loop (thousands of resamples for every config × gate).
  const baseDraw = new Float64Array(base.length);
  const headDraw = new Float64Array(head.length);
  // random.next() rather than random.int(0, n - 1): the same draw (int is min + floor(next() × n)),
  // without int's argument checks on every one of the resamples × n draws.
  for (let r = 0; r < resamples; r++) {
    if (options.paired) {
      for (let i = 0; i < base.length; i++) {
        // In range: next() is in [0, 1), and paired base and head have the same length.
        const index = Math.floor(random.next() * base.length);
        baseDraw[i] = base[index]!;
        headDraw[i] = head[index]!;
      }
    } else {
      for (let i = 0; i < base.length; i++) baseDraw[i] = base[Math.floor(random.next() * base.length)]!;
      for (let i = 0; i < head.length; i++) headDraw[i] = head[Math.floor(random.next() * head.length)]!;
    }
    sortDraw(baseDraw);
    sortDraw(headDraw);
    differences[r] = medianOfSortedDraw(headDraw) - medianOfSortedDraw(baseDraw);
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

/** Draws up to this long are sorted by insertion: no allocation, where TypedArray#sort copies the array each call. */
const INSERTION_SORT_MAX = 48;

/** Whether `a` sorts before `b` in TypedArray#sort's numeric order (-0 before +0; no NaN in samples). */
function sortsBefore(a: number, b: number): boolean {
  return a < b || (a === 0 && b === 0 && Object.is(a, -0) && !Object.is(b, -0));
}

/**
 * Sorts a draw in place in the order TypedArray#sort gives. Short draws (the usual few to few
 * dozen streams) by insertion: `compare` sorts two draws per resample for every config × gate,
 * and the typed sort's per-call copies were most of its garbage collection.
 */
function sortDraw(draw: Float64Array): void {
  if (draw.length > INSERTION_SORT_MAX) {
    draw.sort();
    return;
  }
  for (let i = 1; i < draw.length; i++) {
    const value = draw[i]!;
    let j = i - 1;
    while (j >= 0 && sortsBefore(value, draw[j]!)) {
      draw[j + 1] = draw[j]!;
      j--;
    }
    draw[j + 1] = value;
  }
}

/** Median of a sorted, non-empty draw (mean of the middle two for an even count), as medianOfSorted. */
function medianOfSortedDraw(sorted: Float64Array): number {
  const middle = sorted.length >> 1;
  // In range: the draw is non-empty, so middle and middle - 1 (for an even length ≥ 2) index it.
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
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
