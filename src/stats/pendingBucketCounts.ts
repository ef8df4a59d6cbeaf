/**
 * Samples bound for a distribution's HdrHistogram, counted by the histogram's own bucket
 * (counts index) and handed to it only when it is read. A config's distributions take every
 * per-token sample of every stream; recording each into the histogram (a log2, two powers, the
 * min/max and total updates per call) cost more than the rest of the statistics.
 *
 * Handing over is exact: the histogram ends with the same counts per bucket, total, max and
 * minimum non-zero value as if each sample had been recorded into it (see flushInto).
 */
import type { Histogram } from 'hdr-histogram-js';

/** Significant digits of every distribution's HdrHistogram (its lowest discernible value is 1 µs); distribution.ts builds it with these. */
export const HISTOGRAM_SIGNIFICANT_DIGITS = 3;

/**
 * The histogram's sub-bucket magnitude, derived as HdrHistogram derives it: 3 significant
 * digits give 2048 sub-buckets, the upper half of which (1024 = 2^10) each bucket past the first uses.
 */
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = Math.ceil(Math.log2(2 * 10 ** HISTOGRAM_SIGNIFICANT_DIGITS)) - 1;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;

/** Values (µs) kept here are below this (the histogram's initial range, its highestTrackableValue); others go to it directly. */
export const PENDING_LIMIT_US = 2 ** 24;

/**
 * The histogram's counts index of `valueUs` (an integer, 0 ≤ valueUs < 2^31): HdrHistogram's
 * bucket arithmetic, with a count of leading zeros for its floor(log2).
 */
export function countsIndexOf(valueUs: number): number {
  const bucketIndex = Math.max(31 - Math.clz32(valueUs) - SUB_BUCKET_HALF_COUNT_MAGNITUDE, 0);
  const subBucketIndex = valueUs >>> bucketIndex;
  return (bucketIndex << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + subBucketIndex;
}

/** The lowest value (µs) the histogram counts at `index` (HdrHistogram's valueFromIndex). */
export function lowestValueAt(index: number): number {
  let bucketIndex = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  let subBucketIndex = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucketIndex < 0) {
    subBucketIndex -= SUB_BUCKET_HALF_COUNT;
    bucketIndex = 0;
  }
  return subBucketIndex * 2 ** bucketIndex;
}

/** Counts index of the largest value kept here, plus one: the size of the counts. */
const PENDING_LENGTH = countsIndexOf(PENDING_LIMIT_US - 1) + 1;

/** Counts per histogram bucket not yet in the histogram, with the extremes they hold. */
export class PendingBucketCounts {
  private readonly counts = new Float64Array(PENDING_LENGTH);
  /** Indexes with a count, in no order (each once). */
  private readonly touched: number[] = [];
  private max = -1;
  private minNonZero = Infinity;

  /** Counts `count` samples of `valueUs` (an integer, 0 ≤ valueUs < PENDING_LIMIT_US). */
  add(valueUs: number, count: number): void {
    const index = countsIndexOf(valueUs);
    if (this.counts[index] === 0) this.touched.push(index);
    this.counts[index]! += count;
    if (valueUs > this.max) this.max = valueUs;
    if (valueUs !== 0 && valueUs < this.minNonZero) this.minNonZero = valueUs;
  }

  /**
   * Records every count into `histogram` and forgets them. Each bucket's count goes in as one
   * record of a value in that bucket: the maximum for its bucket, the minimum non-zero value
   * for its, the bucket's lowest value elsewhere (never above the maximum, never below the
   * minimum non-zero value unless zero): the histogram's max and min updates see the same
   * extremes as if each sample had been recorded.
   */
  flushInto(histogram: Histogram): void {
    const maxIndex = this.max < 0 ? -1 : countsIndexOf(this.max);
    const minIndex = this.minNonZero === Infinity ? -1 : countsIndexOf(this.minNonZero);
    for (const index of this.touched) {
      const count = this.counts[index]!;
      this.counts[index] = 0;
      if (index === maxIndex && index === minIndex && this.max !== this.minNonZero) {
        // Both extremes in one bucket (so at least two samples): one of them each.
        histogram.recordValueWithCount(this.minNonZero, 1);
        histogram.recordValueWithCount(this.max, count - 1);
      } else if (index === maxIndex) histogram.recordValueWithCount(this.max, count);
      else if (index === minIndex) histogram.recordValueWithCount(this.minNonZero, count);
      else histogram.recordValueWithCount(lowestValueAt(index), count);
    }
    this.touched.length = 0;
    this.max = -1;
    this.minNonZero = Infinity;
  }
}
