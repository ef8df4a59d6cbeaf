/**
 * Bootstrap confidence interval of the difference of medians (head − base) between two small
 * samples. Seeded, so the same inputs always give the same interval: a CI gate must not
 * change its verdict when re-run on the same files.
 */
import { createRandom, deriveSeed, type Random } from '../sources/random.js';
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
  // Each resample draws indexes, not values, and counts how often it drew each: walking the
  // indexes in the order of their values up to the middle count gives the draw's middle rank(s),
  // whose values are read from the sorted samples (the same doubles, the same sum for an even
  // count, as sorting the drawn values): no comparisons and no allocation per resample.
  drawDifferences(differences, random, {
    paired: options.paired,
    baseSorted: numericallySorted(base),
    headSorted: numericallySorted(head),
    baseOrder: sortingOrder(base),
    headOrder: sortingOrder(head),
  });
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

/** The samples of one bootstrap, ready for drawing: each side's sorted values and the index of each of them. */
interface Samples {
  paired: boolean;
  baseSorted: Float64Array;
  headSorted: Float64Array;
  baseOrder: Int32Array;
  headOrder: Int32Array;
}

/** Random indexes drawn at a time, at most: a block's buffer stays small however many streams a run had. */
const BLOCK_INDEXES = 1 << 16;

/**
 * Fills `differences` with one difference of medians (head − base) per resample. The random
 * indexes come in blocks of whole resamples from one fillIndexes call, in the order random.int
 * per stream would give them (base's, then head's; one per pair when paired), and the whole
 * loop is one function without calls: V8 compiles it on the first compare while it runs (on-stack
 * replacement), where a call per resample and per draw ran interpreted for most of the
 * first gates (npm run bench:startup).
 */
function drawDifferences(differences: Float64Array, random: Random, samples: Samples): void {
  const { paired, baseSorted, headSorted, baseOrder, headOrder } = samples;
  const baseLength = baseOrder.length;
  const headLength = headOrder.length;
  // Indexes per resample: one per pair, or base's then head's.
  const perResample = paired ? baseLength : baseLength + headLength;
  const resamplesPerBlock = Math.max(1, Math.floor(BLOCK_INDEXES / perResample));
  const indexes = new Int32Array(Math.min(differences.length, resamplesPerBlock) * perResample);
  // How often each index was drawn; paired, one count serves both sides.
  const baseCounts = new Int32Array(baseLength);
  const headCounts = paired ? baseCounts : new Int32Array(headLength);
  const baseMiddle = baseLength >> 1;
  const headMiddle = headLength >> 1;
  // Even counts average the two middle ranks; odd ones take the middle rank twice.
  const baseLowPosition = baseLength % 2 === 1 ? baseMiddle : baseMiddle - 1;
  const headLowPosition = headLength % 2 === 1 ? headMiddle : headMiddle - 1;
  for (let blockStart = 0; blockStart < differences.length; blockStart += resamplesPerBlock) {
    const blockResamples = Math.min(resamplesPerBlock, differences.length - blockStart);
    const block = blockResamples * perResample === indexes.length ? indexes : indexes.subarray(0, blockResamples * perResample);
    if (paired || baseLength === headLength) {
      random.fillIndexes(block, baseLength);
    } else {
      for (let r = 0; r < blockResamples; r++) {
        random.fillIndexes(block.subarray(r * perResample, r * perResample + baseLength), baseLength);
        random.fillIndexes(block.subarray(r * perResample + baseLength, (r + 1) * perResample), headLength);
      }
    }
    for (let r = 0; r < blockResamples; r++) {
      const first = r * perResample;
      baseCounts.fill(0);
      if (!paired) headCounts.fill(0);
      for (let i = first; i < first + baseLength; i++) baseCounts[block[i]!]!++;
      if (!paired) for (let i = first + baseLength; i < first + perResample; i++) headCounts[block[i]!]!++;
      // The ranks at the middle positions of the draw in ascending order, walking the counts in value order.
      let seen = 0;
      let rank = 0;
      while (seen + baseCounts[baseOrder[rank]!]! <= baseLowPosition) seen += baseCounts[baseOrder[rank++]!]!;
      const baseLow = baseSorted[rank]!;
      while (seen + baseCounts[baseOrder[rank]!]! <= baseMiddle) seen += baseCounts[baseOrder[rank++]!]!;
      const baseMedian = baseLength % 2 === 1 ? baseLow : (baseLow + baseSorted[rank]!) / 2;
      seen = 0;
      rank = 0;
      while (seen + headCounts[headOrder[rank]!]! <= headLowPosition) seen += headCounts[headOrder[rank++]!]!;
      const headLow = headSorted[rank]!;
      while (seen + headCounts[headOrder[rank]!]! <= headMiddle) seen += headCounts[headOrder[rank++]!]!;
      const headMedian = headLength % 2 === 1 ? headLow : (headLow + headSorted[rank]!) / 2;
      differences[blockStart + r] = headMedian - baseMedian;
    }
  }
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
