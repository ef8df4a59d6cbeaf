/**
 * A growable column of numbers: what a stream's trace keeps per token or per message instead
 * of an object each. Held in a Float64Array grown by doubling: its buffer is off the heap, so a
 * stream's columns, alive for the whole stream, are never copied by the young-generation
 * collector, and a column outgrown is freed without being traced (a plain array grown by push
 * left a trail of ever larger arrays that lived for seconds, were promoted, then died).
 */

/** Slots of a column's first buffer (then doubled as it fills). */
const FIRST_CAPACITY = 64;

/** No slot yet: shared by every column until its first value. */
const NO_SLOTS = new Float64Array(0);

/** Bytes of the blocks first slots are carved from: a few traces' worth, so that few blocks are ever made. */
const BLOCK_BYTES = 64 * 1024;
/** The block being carved, and where its free part starts. */
let block = new ArrayBuffer(0);
let blockOffset = 0;

/**
 * Columns whose first FIRST_CAPACITY slots are views of a block shared with other columns: a
 * stream's trace makes no ArrayBuffer of its own (one costs far more to make and to free than
 * its bytes), only views of a block that several traces share and the collector frees once
 * none of them is left. A column that outgrows its slots moves to a buffer of its own.
 */
export function carveColumns(count: number): NumberColumn[] {
  const bytes = count * FIRST_CAPACITY * Float64Array.BYTES_PER_ELEMENT;
  if (blockOffset + bytes > block.byteLength) {
    block = new ArrayBuffer(Math.max(BLOCK_BYTES, bytes));
    blockOffset = 0;
  }
  const columns = new Array<NumberColumn>(count);
  for (let index = 0; index < count; index++) {
    columns[index] = new NumberColumn(new Float64Array(block, blockOffset, FIRST_CAPACITY));
    blockOffset += FIRST_CAPACITY * Float64Array.BYTES_PER_ELEMENT;
  }
  return columns;
}

/** Numbers appended or set by index; unset slots read as NaN. */
export class NumberColumn {
  private values: Float64Array;
  private used = 0;

  /** `firstSlots`: zeroed slots to start in (carveColumns); none by default. */
  constructor(firstSlots: Float64Array = NO_SLOTS) {
    this.values = firstSlots;
  }

  /** Slots in use: one past the highest index appended or set. */
  get length(): number {
    return this.used;
  }

  /** Appends `value`. */
  push(value: number): void {
    if (this.used === this.values.length) this.grow(this.used + 1);
    this.values[this.used++] = value;
  }

  /** The value at `index` (NaN when unset, out of range or not a slot index). */
  at(index: number): number {
    return index >= 0 && index < this.used ? (this.values[index] ?? Number.NaN) : Number.NaN;
  }

  /** Sets `index` to `value`; slots skipped read as NaN. An index that is not a whole number ≥ 0 names no slot: nothing is set. */
  set(index: number, value: number): void {
    if (!(Number.isInteger(index) && index >= 0)) return;
    if (index >= this.values.length) this.grow(index + 1);
    if (index >= this.used) {
      if (index > this.used) this.values.fill(Number.NaN, this.used, index);
      this.used = index + 1;
    }
    this.values[index] = value;
  }

  /** The values in use (a view: do not write; valid until the next push or set). */
  view(): Float64Array {
    return this.values.subarray(0, this.used);
  }

  private grow(needed: number): void {
    let capacity = Math.max(FIRST_CAPACITY, this.values.length * 2);
    while (capacity < needed) capacity *= 2;
    const values = new Float64Array(capacity);
    values.set(this.values.subarray(0, this.used));
    this.values = values;
  }
}
