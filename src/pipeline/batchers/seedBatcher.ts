import type { Clock } from '../../clock.js';
import type { Batcher } from '../types.js';

/**
 * The seed's `batch_chunks` exactly as written: flush when `size` items are held or when,
 * at the arrival of an item, more than `timeoutMs` passed since the last send. The timeout
 * is only looked at when an item arrives, so a partial batch waits for the next item
 * however long the source pauses — the trap this batcher exists to show.
 */
export function createSeedBatcher<T>(size: number, timeoutMs: number, clock: Clock, flush: (items: T[]) => void): Batcher<T> {
  let buffer: T[] = [];
  let lastSendMs = clock.nowMs();
  return {
    push(item) {
      buffer.push(item);
      if (buffer.length >= size || clock.nowMs() - lastSendMs > timeoutMs) {
        const batch = buffer;
        buffer = [];
        lastSendMs = clock.nowMs();
        flush(batch);
      }
    },
    end() {
      if (buffer.length > 0) {
        const batch = buffer;
        buffer = [];
        flush(batch);
      }
    },
  };
}
