import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { createBatcher } from '../src/pipeline/batchers/createBatcher.js';
import type { BatchSettings } from '../src/pipeline/batchers/settings.js';

function batcherUnderTest(settings: Partial<BatchSettings>) {
  const clock = new ManualClock();
  const flushes: { atMs: number; items: string[] }[] = [];
  const batcher = createBatcher<string>(
    { mode: 'none', size: 5, timeoutMs: 100, merge: true, firstImmediate: false, ...settings },
    clock,
    (item) => item.length > 0,
    (items) => flushes.push({ atMs: clock.nowMs(), items }),
  );
  return { clock, flushes, batcher };
}

describe('seed batcher (size or timeout, checked only when a chunk arrives)', () => {
  it('holds a partial batch across a source pause until the next chunk', () => {
    const { clock, flushes, batcher } = batcherUnderTest({ mode: 'seed', size: 5, timeoutMs: 100 });
    batcher.push('a');
    clock.advance(10);
    batcher.push('b');
    clock.advance(1000); // the source pauses for a second
    expect(flushes).toEqual([]);
    batcher.push('c');
    expect(flushes).toEqual([{ atMs: 1010, items: ['a', 'b', 'c'] }]);
  });

  it('flushes on size', () => {
    const { flushes, batcher } = batcherUnderTest({ mode: 'seed', size: 3, timeoutMs: 100 });
    for (const item of ['a', 'b', 'c', 'd']) batcher.push(item);
    expect(flushes.map((flush) => flush.items)).toEqual([['a', 'b', 'c']]);
    batcher.end();
    expect(flushes.map((flush) => flush.items)).toEqual([['a', 'b', 'c'], ['d']]);
  });
});

describe('timer batcher', () => {
  it('flushes a partial batch when its timeout expires, pause or not', () => {
    const { clock, flushes, batcher } = batcherUnderTest({ mode: 'timer', size: 5, timeoutMs: 100 });
    batcher.push('a');
    clock.advance(10);
    batcher.push('b');
    clock.advance(1000);
    expect(flushes).toEqual([{ atMs: 100, items: ['a', 'b'] }]);
  });

  it('flushes on size and restarts the timer with the next batch', () => {
    const { clock, flushes, batcher } = batcherUnderTest({ mode: 'timer', size: 2, timeoutMs: 50 });
    batcher.push('a');
    batcher.push('b');
    clock.advance(5);
    batcher.push('c');
    clock.advance(100);
    expect(flushes).toEqual([
      { atMs: 0, items: ['a', 'b'] },
      { atMs: 55, items: ['c'] },
    ]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('sends the first content chunk at once with firstImmediate', () => {
    const { flushes, batcher } = batcherUnderTest({ mode: 'timer', size: 5, timeoutMs: 100, firstImmediate: true });
    batcher.push('');
    batcher.push('first');
    batcher.push('second');
    expect(flushes.map((flush) => flush.items)).toEqual([['', 'first']]);
  });
});

describe('no batching', () => {
  it('flushes every item alone', () => {
    const { flushes, batcher } = batcherUnderTest({ mode: 'none' });
    batcher.push('a');
    batcher.push('b');
    expect(flushes.map((flush) => flush.items)).toEqual([['a'], ['b']]);
  });
});
