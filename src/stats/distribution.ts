/**
 * A distribution of millisecond samples. Percentiles come from an HdrHistogram so that two
 * distributions (shards, runs) merge exactly; n, min, max, mean and stddev are exact.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { Summary } from '../result/resultSchema.js';
import { HISTOGRAM_SIGNIFICANT_DIGITS, PENDING_LIMIT_US, PendingBucketCounts } from './pendingBucketCounts.js';

/** Microseconds per millisecond: the histogram records integer microseconds. */
const US_PER_MS = 1000;

/** Marks the string form so a foreign or future encoding is rejected rather than misread. */
const ENCODING_FORMAT = 'streambench-distribution/1';

/**
 * Builds an empty histogram: JS implementation (no async WASM init), resizes to fit any value.
 * Sized for 16.7 s (2^24 µs) from the start: growing step by step from empty costs about twice
 * as much, and a config builds one per metric and stage (streams no longer build their own).
 */
function newHistogram(): Histogram {
  return build({
    // The bucket layout PendingBucketCounts computes by itself: the same constants, from one place.
    numberOfSignificantValueDigits: HISTOGRAM_SIGNIFICANT_DIGITS,
    autoResize: true,
    highestTrackableValue: PENDING_LIMIT_US,
    lowestDiscernibleValue: 1,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
}

/** The bucket arithmetic of every histogram here (it depends only on the precision, not on the size). */
let bucketTemplate: (Histogram & { lowestEquivalentValue(value: number): number; highestEquivalentValue(value: number): number }) | null = null;

/** The lowest and highest values (µs) a histogram here counts in the same bucket as `valueUs`. */
export function equivalentValueRangeUs(valueUs: number): { lowestUs: number; highestUs: number } {
  bucketTemplate ??= newHistogram() as NonNullable<typeof bucketTemplate>;
  return { lowestUs: bucketTemplate.lowestEquivalentValue(valueUs), highestUs: bucketTemplate.highestEquivalentValue(valueUs) };
}

/** Rejects weights that the histogram cannot count (it stores integer counts). */
function assertWeight(count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`Distribution.record: count must be a non-negative integer, got ${count}`);
  }
}

/** The exact accumulators, shared by the encoded form and merge. */
interface ExactState {
  n: number;
  min: number;
  max: number;
  sum: number;
  /** Running mean used only for the variance update (Welford); the reported mean is sum / n. */
  runningMean: number;
  /** Sum of squared deviations from the running mean (population variance = m2 / n). */
  m2: number;
}

/** Collects millisecond samples; record, merge, then read percentiles or a Summary. */
export class Distribution {
  private histogram: Histogram = newHistogram();
  /** Samples recordAll counted for the histogram but not yet handed to it (null: none). */
  private pending: PendingBucketCounts | null = null;
  private exact: ExactState = { n: 0, min: Infinity, max: -Infinity, sum: 0, runningMean: 0, m2: 0 };

  /**
   * Records `valueMs` with weight `count` (e.g. the tokens one chunk carried). Negative values
   * (clock jitter between stages) are clamped to 0 everywhere, so min never sits below p0.
   */
  record(valueMs: number, count = 1): void {
    if (!Number.isFinite(valueMs)) {
      throw new RangeError(`Distribution.record: value must be a finite number of ms, got ${valueMs}`);
    }
    assertWeight(count);
    if (count === 0) return;
    const value = Math.max(0, valueMs);
    this.histogram.recordValueWithCount(Math.round(value * US_PER_MS), count);
    this.accumulate(value, count);
  }

  /** The exact accumulators' weighted Welford update: numerically stable where a naive sum of squares is not. */
  private accumulate(value: number, count: number): void {
    const state = this.exact;
    const n = state.n + count;
    const delta = value - state.runningMean;
    state.runningMean += (delta * count) / n;
    state.m2 += delta * count * (value - state.runningMean);
    state.n = n;
    state.sum += value * count;
    if (value < state.min) state.min = value;
    if (value > state.max) state.max = value;
  }

  /**
   * Records `length` samples, value i with weight i, exactly as that many `record` calls in
   * order would (the same exact accumulators, bit for bit, and the same histogram once read):
   * the histogram's part is counted per bucket and handed over when the histogram is read
   * (pendingBucketCounts.ts), since a config's distributions take every per-token sample.
   */
  recordAll(valuesMs: ArrayLike<number>, weights: ArrayLike<number>, length: number): void {
    const pending = (this.pending ??= new PendingBucketCounts());
    for (let i = 0; i < length; i++) {
      const valueMs = valuesMs[i]!; // i < length ≤ valuesMs.length
      const count = weights[i]!;
      if (!Number.isFinite(valueMs)) {
        throw new RangeError(`Distribution.record: value must be a finite number of ms, got ${valueMs}`);
      }
      assertWeight(count);
      if (count === 0) continue;
      const value = Math.max(0, valueMs);
      const valueUs = Math.round(value * US_PER_MS);
      if (valueUs < PENDING_LIMIT_US) pending.add(valueUs, count);
      else this.histogram.recordValueWithCount(valueUs, count);
      // The same update as record(), in the same order.
      this.accumulate(value, count);
    }
  }

  /** The histogram with every sample recorded so far (pending counts handed over first). */
  private settledHistogram(): Histogram {
    this.pending?.flushInto(this.histogram);
    return this.histogram;
  }

  /** Adds every sample of `other` to this distribution (exact: same as recording them here). */
  merge(other: Distribution): void {
    // Snapshot first so that merging a distribution into itself doubles it correctly.
    const b = { ...other.exact };
    if (b.n === 0) return;
    this.settledHistogram().add(other.settledHistogram());
    const a = this.exact;
    const n = a.n + b.n;
    const delta = b.runningMean - a.runningMean;
    // Chan et al.'s parallel combination of two variance accumulators.
    a.m2 = a.m2 + b.m2 + (delta * delta * a.n * b.n) / n;
    a.runningMean = a.runningMean + (delta * b.n) / n;
    a.n = n;
    a.sum += b.sum;
    a.min = Math.min(a.min, b.min);
    a.max = Math.max(a.max, b.max);
  }

  /** Total weight recorded (samples, or tokens when records carry a count). */
  get count(): number {
    return this.exact.n;
  }

  /**
   * The value (ms) at percentile `p` (0–100), to HdrHistogram's 3 significant digits. The
   * histogram reports the top of a bucket, so the result is clamped to the exact [min, max].
   */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) {
      throw new RangeError(`Distribution.percentile: p must be within 0..100, got ${p}`);
    }
    if (this.exact.n === 0) {
      throw new RangeError('Distribution.percentile: the distribution is empty (check count first)');
    }
    const valueMs = this.settledHistogram().getValueAtPercentile(p) / US_PER_MS;
    return Math.min(this.exact.max, Math.max(this.exact.min, valueMs));
  }

  /** The result-document Summary, or null when nothing was recorded. */
  summary(): Summary | null {
    const { n, min, max, sum, m2 } = this.exact;
    if (n === 0) return null;
    return {
      n,
      min,
      mean: sum / n,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      max,
      // Rounding can leave m2 a hair below zero for identical samples.
      stddev: Math.sqrt(Math.max(0, m2) / n),
    };
  }

  /** A self-contained string (exact accumulators + compressed histogram) for shard merging. */
  toEncoded(): string {
    return JSON.stringify({
      format: ENCODING_FORMAT,
      ...this.exact,
      // JSON has no Infinity; an empty distribution stores null and is restored as empty.
      min: this.exact.n === 0 ? null : this.exact.min,
      max: this.exact.n === 0 ? null : this.exact.max,
      histogram: encodeIntoCompressedBase64(this.settledHistogram()),
    });
  }

  /** Restores a distribution from `toEncoded()` output; throws on anything else. */
  static fromEncoded(encoded: string): Distribution {
    let parsed: unknown;
    try {
      parsed = JSON.parse(encoded);
    } catch {
      throw new Error('Distribution.fromEncoded: not an encoded distribution (invalid JSON)');
    }
    const data = parsed as Record<string, unknown> | null;
    const numbers = ['n', 'sum', 'runningMean', 'm2'] as const;
    if (
      data === null ||
      typeof data !== 'object' ||
      data.format !== ENCODING_FORMAT ||
      typeof data.histogram !== 'string' ||
      numbers.some((key) => typeof data[key] !== 'number')
    ) {
      throw new Error(`Distribution.fromEncoded: not an encoded distribution (expected format ${ENCODING_FORMAT})`);
    }
    const distribution = new Distribution();
    const n = data.n as number;
    if (n === 0) return distribution;
    if (typeof data.min !== 'number' || typeof data.max !== 'number') {
      throw new Error('Distribution.fromEncoded: min and max are missing from a non-empty distribution');
    }
    const histogram = decodeFromCompressedBase64(data.histogram as string);
    // Decoded histograms come back fixed-size; later records and merges must still fit.
    histogram.autoResize = true;
    distribution.histogram = histogram;
    distribution.exact = {
      n,
      min: data.min,
      max: data.max,
      sum: data.sum as number,
      runningMean: data.runningMean as number,
      m2: data.m2 as number,
    };
    return distribution;
  }
}

/** Summary of plain millisecond values (each weight 1), or null for an empty array. */
export function summarize(valuesMs: readonly number[]): Summary | null {
  const distribution = new Distribution();
  for (const value of valuesMs) distribution.record(value);
  return distribution.summary();
}
