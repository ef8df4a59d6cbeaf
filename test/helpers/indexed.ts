/**
 * Guarded indexing for tests under noUncheckedIndexedAccess: a missing element throws an error
 * that names what was indexed and where, so a failing test says which index was missing instead
 * of "cannot read properties of undefined".
 */

/** A tuple of `count` elements of type T. */
type TupleOf<T, N extends number, Built extends T[] = []> = Built['length'] extends N ? Built : TupleOf<T, N, [...Built, T]>;

/** The element of `items` at `index`; throws naming `what` when the array is too short or holds nothing there. */
export function itemAt<T>(items: readonly T[], index: number, what: string): T {
  if (!Number.isInteger(index) || index < 0 || index >= items.length) throw new Error(`${what}: no element at index ${index} (length ${items.length})`);
  const item = items[index];
  if (item === undefined) throw new Error(`${what}: the element at index ${index} is undefined`);
  return item;
}

/** The first element of `items`; throws naming `what` when it is empty. */
export function firstOf<T>(items: readonly T[], what: string): T {
  return itemAt(items, 0, what);
}

/** The last element of `items`; throws naming `what` when it is empty. */
export function lastOf<T>(items: readonly T[], what: string): T {
  return itemAt(items, items.length - 1, what);
}

/** The first `count` elements of `items`, as a tuple to destructure; throws naming `what` when there are fewer. */
export function leadingOf<T, N extends number>(items: readonly T[], count: N, what: string): TupleOf<T, N> {
  if (items.length < count) throw new Error(`${what}: expected at least ${count} elements, got ${items.length}`);
  return items.slice(0, count) as TupleOf<T, N>;
}

/** The value of `record` under `key`; throws naming `what` when the key is absent. */
export function entryOf<T>(record: Readonly<Record<string, T>>, key: string, what: string): T {
  if (!Object.prototype.hasOwnProperty.call(record, key)) throw new Error(`${what}: no entry "${key}" (keys: ${Object.keys(record).join(', ') || 'none'})`);
  return record[key] as T;
}
