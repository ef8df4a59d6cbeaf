/**
 * One stream's samples, for its own percentiles (a stream's token latency p50/p99, ITL p50…).
 * It answers exactly as a Distribution would — HdrHistogram's buckets at 3 significant digits,
 * the top of the bucket, clamped to the exact min and max — without building a histogram per
 * stream: values go into typed arrays that are sorted once when a percentile is asked for, and
 * the arrays are reused from stream to stream (the sort too works in them: no garbage per stream).
 */
import { equivalentValueRangeUs } from './distribution.js';

const US_PER_MS = 1000;

/** Runs of this many samples are sorted by insertion, then merged pairwise (quick at that size, and stable). */
const INSERTION_RUN = 32;

/** HdrHistogram's unit in the last place, as its getValueAtPercentile uses it. */
const ulp = (x: number) => Math.pow(2, Math.floor(Math.log2(x)) - 52);

/** Reusable per-stream samples: record, read percentiles, reset for the next stream. */
export class StreamSamples {
  private valuesUs = new Float64Array(256);
  private weights = new Float64Array(256);
  private order = new Uint32Array(256);
  /** The merge sort's second buffer (it swaps with `order` at every pass). */
  private spare = new Uint32Array(256);
  private length = 0;
  private total = 0;
  private minMs = Infinity;
  private maxMs = -Infinity;
  private sorted = true;

  /** Forgets every sample (keeps the arrays). */
  reset(): void {
    this.length = 0;
    this.total = 0;
    this.minMs = Infinity;
    this.maxMs = -Infinity;
    this.sorted = true;
  }

  /** Records `valueMs` with weight `count`, as Distribution.record does (negative values count as 0). */
  record(valueMs: number, count = 1): void {
    if (!Number.isFinite(valueMs)) throw new RangeError(`StreamSamples.record: value must be a finite number of ms, got ${valueMs}`);
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`StreamSamples.record: count must be a non-negative integer, got ${count}`);
    if (count === 0) return;
    const value = Math.max(0, valueMs);
    if (this.length === this.valuesUs.length) this.grow();
    this.valuesUs[this.length] = Math.round(value * US_PER_MS);
    this.weights[this.length] = count;
    this.length++;
    this.total += count;
    if (value < this.minMs) this.minMs = value;
    if (value > this.maxMs) this.maxMs = value;
    this.sorted = false;
  }

  /** Total weight recorded. */
  get count(): number {
    return this.total;
  }

  /** The value (ms) at percentile `p` (0–100): the same number Distribution.percentile gives for the same records. */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`StreamSamples.percentile: p must be within 0..100, got ${p}`);
    if (this.total === 0) throw new RangeError('StreamSamples.percentile: no samples (check count first)');
    this.sortOnce();
    const fpCount = (Math.min(p, 100) / 100) * this.total;
    const target = Math.max(Math.ceil(fpCount - ulp(fpCount)), 1);
    let cumulative = 0;
    // order holds 0..length - 1 (sortOnce), all within valuesUs and weights; length > 0 (total > 0).
    let valueUs = this.valuesUs[this.order[this.length - 1]!]!;
    for (let rank = 0; rank < this.length; rank++) {
      const index = this.order[rank]!;
      cumulative += this.weights[index]!;
      if (cumulative >= target) {
        valueUs = this.valuesUs[index]!;
        break;
      }
    }
    const range = equivalentValueRangeUs(valueUs);
    const valueMs = (p === 0 ? range.lowestUs : range.highestUs) / US_PER_MS;
    return Math.min(this.maxMs, Math.max(this.minMs, valueMs));
  }

  /**
   * Sorts the sample indexes by value into `order`: insertion-sorted runs merged bottom-up,
   * stable like sort() (equal values keep their order), in the reused buffers. A typed array's
   * sort() with a comparator copied the indexes to a work array per call (garbage per stream).
   */
  private sortOnce(): void {
    if (this.sorted) return;
    const values = this.valuesUs;
    const length = this.length;
    let order = this.order;
    let spare = this.spare;
    for (let runStart = 0; runStart < length; runStart += INSERTION_RUN) {
      const runEnd = Math.min(runStart + INSERTION_RUN, length);
      for (let index = runStart; index < runEnd; index++) {
        const valueUs = values[index]!;
        let slot = index;
        for (; slot > runStart && values[order[slot - 1]!]! > valueUs; slot--) order[slot] = order[slot - 1]!; // runStart ≤ slot - 1 < index < length
        order[slot] = index;
      }
    }
    for (let width = INSERTION_RUN; width < length; width *= 2) {
      for (let left = 0; left < length; left += 2 * width) {
        const middle = Math.min(left + width, length);
        const right = Math.min(left + 2 * width, length);
        let a = left;
        let b = middle;
        for (let out = left; out < right; out++) {
          // Left run first on ties: stable. Indexes read are below `right` ≤ length.
          if (a < middle && (b >= right || values[order[a]!]! <= values[order[b]!]!)) spare[out] = order[a++]!;
          else spare[out] = order[b++]!;
        }
      }
      const merged = spare;
      spare = order;
      order = merged;
    }
    this.order = order;
    this.spare = spare;
    this.sorted = true;
  }

  private grow(): void {
    const size = this.valuesUs.length * 2;
    const values = new Float64Array(size);
    values.set(this.valuesUs);
    const weights = new Float64Array(size);
    weights.set(this.weights);
    this.valuesUs = values;
    this.weights = weights;
    this.order = new Uint32Array(size);
    this.spare = new Uint32Array(size);
  }
}
