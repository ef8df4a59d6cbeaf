/**
 * Bootstrap confidence interval of the difference of medians (head − base) between two small
 * samples. Seeded, so the same inputs always give the same interval: a CI gate must not
 * change its verdict when re-run on the same files.
 */
import { createRandom, deriveSeed, seededWords } from '../sources/random.js';
import { drawDifferences } from './medianDraws.js';
import { drawDifferencesWasm } from './medianDrawsWasm.js';
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
  const seed = deriveSeed(options.seed, 'bootstrap-median-difference');
  const estimate = medianOfSorted(sortedCopy(head)) - medianOfSorted(sortedCopy(base));
  const differences = new Float64Array(resamples);
  // Each resample draws indexes, not values, and counts how often it drew each: walking the
  // indexes in the order of their values up to the middle count gives the draw's middle rank(s),
  // whose values are read from the sorted samples (the same doubles, the same sum for an even
  // count, as sorting the drawn values): no comparisons and no allocation per resample.
  const samples = {
    paired: options.paired,
    baseSorted: numericallySorted(base),
    headSorted: numericallySorted(head),
    baseOrder: sortingOrder(base),
    headOrder: sortingOrder(head),
  };
  // The WebAssembly loop runs as machine code from its first resample, where V8 interprets the
  // JavaScript one for most of compare's gates (npm run bench:startup); the same draws either way.
  if (!drawDifferencesWasm(differences, seededWords(seed), samples)) drawDifferences(differences, createRandom(seed), samples);
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

/** The index of each sample of numericallySorted(values), in its order (equal values by index). */
function sortingOrder(values: readonly number[]): Int32Array {
  const order = values.map((_, index) => index).sort((a, b) => (sortsBefore(values[a]!, values[b]!) ? -1 : sortsBefore(values[b]!, values[a]!) ? 1 : a - b));
  return Int32Array.from(order);
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
