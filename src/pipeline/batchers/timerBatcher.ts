import type { Clock, TimerHandle } from '../../clock.js';
import type { Batcher } from '../types.js';

/**
 * Size-or-timeout batching with a real timer: the first item of a batch starts a timer of
 * `timeoutMs`, so no item waits longer than that even when the source pauses. With
 * `firstImmediate`, the first item that `isContent` accepts is sent alone at once.
 */
export function createTimerBatcher<T>(
  options: { size: number; timeoutMs: number; firstImmediate: boolean; isContent: (item: T) => boolean },
  clock: Clock,
  flush: (items: T[]) => void,
): Batcher<T> {
  let buffer: T[] = [];
  let timer: TimerHandle | undefined;
  let sentFirstContent = !options.firstImmediate;

  const flushBuffer = () => {
    if (timer !== undefined) clock.clearTimer(timer);
    timer = undefined;
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    flush(batch);
  };

  return {
    push(item) {
      buffer.push(item);
      if (!sentFirstContent && options.isContent(item)) {
        sentFirstContent = true;
        flushBuffer();
        return;
      }
      if (buffer.length >= options.size) flushBuffer();
      else if (timer === undefined) timer = clock.setTimer(flushBuffer, options.timeoutMs);
    },
    end: flushBuffer,
  };
}
