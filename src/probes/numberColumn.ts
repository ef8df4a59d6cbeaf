/**
 * A growable column of numbers in one Float64Array (capacity doubles as it fills): what a
 * stream's trace keeps per token or per message instead of an object each, so a stream held
 * until its end costs 8 bytes per value and nothing for the garbage collector to trace.
 */

/** Numbers appended or set by index; unset slots read as NaN. */
export class NumberColumn {
  private data: Float64Array;
  /** Slots in use: one past the highest index appended or set. */
  length = 0;

  constructor(initialCapacity = 16) {
    this.data = new Float64Array(Math.max(1, initialCapacity)).fill(Number.NaN);
  }

  /** Appends `value`. */
  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = value;
  }

  /** The value at `index` (NaN when unset or out of range). */
  at(index: number): number {
    return index >= 0 && index < this.length ? this.data[index]! : Number.NaN;
  }

  /** Sets `index` to `value`, growing as needed (slots skipped stay NaN). */
  set(index: number, value: number): void {
    if (index >= this.data.length) this.grow(index + 1);
    this.data[index] = value;
    if (index >= this.length) this.length = index + 1;
  }

  /** The values in use, as a view (valid until the next push or set). */
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }

  private grow(minimum: number): void {
    let capacity = this.data.length * 2;
    while (capacity < minimum) capacity *= 2;
    const data = new Float64Array(capacity).fill(Number.NaN, this.length);
    data.set(this.data.subarray(0, this.length));
    this.data = data;
  }
}
