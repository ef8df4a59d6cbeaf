import type { Batcher } from '../types.js';

/** No batching: every item is flushed on its own, at once. */
export function createNoBatcher<T>(flush: (items: T[]) => void): Batcher<T> {
  return {
    push: (item) => flush([item]),
    end: () => {},
  };
}
