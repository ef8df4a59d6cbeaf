/**
 * A growable column of numbers: what a stream's trace keeps per token or per message instead
 * of an object each. A plain array that only ever holds numbers is stored by V8 as unboxed
 * doubles (8 bytes a value, on the heap, nothing inside for the garbage collector to trace);
 * measured against one Float64Array per column grown by doubling, it held less memory for
 * streams alive at once (no half-empty capacity, no off-heap buffer per column).
 */

/** Numbers appended or set by index; unset slots read as NaN. */
export class NumberColumn {
  private readonly values: number[] = [];

  /** Slots in use: one past the highest index appended or set. */
  get length(): number {
    return this.values.length;
  }

  /** Appends `value`. */
  push(value: number): void {
    this.values.push(value);
  }

  /** The value at `index` (NaN when unset or out of range). */
  at(index: number): number {
    return index >= 0 && index < this.values.length ? this.values[index]! : Number.NaN;
  }

  /** Sets `index` to `value`; slots skipped are filled with NaN (the array stays dense: no holes, no dictionary mode). */
  set(index: number, value: number): void {
    const values = this.values;
    while (values.length < index) values.push(Number.NaN);
    values[index] = value;
  }

  /** The values in use (read-only; valid until the next push or set). */
  view(): readonly number[] {
    return this.values;
  }
}
