/**
 * One stream's samples, for its own percentiles (a stream's token latency p50/p99, ITL p50…).
 * It answers exactly as a Distribution would — HdrHistogram's buckets at 3 significant digits,
 * the top of the bucket, clamped to the exact min and max — without building a histogram per
 * stream: values go into typed arrays that are sorted once when a percentile is asked for, and
 * the arrays are reused from stream to stream.
 */
import { equivalentValueRangeUs } from './distribution.js';

const US_PER_MS = 1000;

/** Integers up to this are exact in a double: a sort key (value × slots + index) must stay below it. */
const EXACT_INTEGER_LIMIT = 2 ** 53;

/** HdrHistogram's unit in the last place, as its getValueAtPercentile uses it. */
const ulp = (x: number) => Math.pow(2, Math.floor(Math.log2(x)) - 52);

/** Reusable per-stream samples: record, read percentiles, reset for the next stream. */
export class StreamSamples {
  private valuesUs = new Float64Array(256);
  private weights = new Float64Array(256);
  private order = new Uint32Array(256);
  /** Sort keys: value (µs) × a power of two above the sample count + the sample's index. */
  private keys = new Float64Array(256);
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
    const fpCount = (Math.min(p, 100) / 100) * this.total;
    const target = Math.max(Math.ceil(fpCount - ulp(fpCount)), 1);
    // A rank at the total weight is the largest value's: no sort (a stream's p99 under 100 tokens, any p100).
    if (target >= this.total) return this.valueAt(Math.round(this.maxMs * US_PER_MS), p);
    this.sortOnce();
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
    return this.valueAt(valueUs, p);
  }

  /** What percentile `p` reads for a rank at `valueUs`: its bucket's top (bottom at p0), clamped to the exact min and max. */
  private valueAt(valueUs: number, p: number): number {
    const range = equivalentValueRangeUs(valueUs);
    const valueMs = (p === 0 ? range.lowestUs : range.highestUs) / US_PER_MS;
    return Math.min(this.maxMs, Math.max(this.minMs, valueMs));
  }

  /**
   * Sorts the sample indexes by value into `order`, equal values in recording order (as a
   * stable sort). Each sample becomes one whole-number key, value × slots + index, and the keys
   * are sorted by the engine's numeric sort, in place (a comparator called per comparison cost
   * several times more, and a typed array's sort() with one copies to a work array per call).
   */
  private sortOnce(): void {
    if (this.sorted) return;
    const values = this.valuesUs;
    const length = this.length;
    const order = this.order;
    let slots = 1;
    while (slots < length) slots *= 2;
    // The largest value recorded is round(maxMs µs): rounding keeps the order.
    if (Math.round(this.maxMs * US_PER_MS) * slots + slots <= EXACT_INTEGER_LIMIT) {
      const keys = this.keys;
      for (let index = 0; index < length; index++) keys[index] = values[index]! * slots + index; // exact: below 2^53
      keys.subarray(0, length).sort();
      for (let rank = 0; rank < length; rank++) order[rank] = keys[rank]! % slots; // the index back, exactly
    } else {
      // Values too large for exact keys (hours in µs, times many samples): a comparator sort, stable.
      const indexes = order.subarray(0, length);
      for (let index = 0; index < length; index++) indexes[index] = index;
      indexes.sort((a, b) => values[a]! - values[b]!); // indexes below length
    }
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
    this.keys = new Float64Array(size);
  }
}
