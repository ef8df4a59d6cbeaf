/** Helpers for the http source, mock server and replay tests. */
import type { Clock, TimerHandle } from '../../src/clock.js';
import { systemClock } from '../../src/clock.js';
import { UpstreamRecord } from '../../src/probes/upstreamRecord.js';
import type { SourceChunk, TokenSource } from '../../src/sources/types.js';

/** Every chunk of stream `streamIndex`, what the observer heard, and when each chunk came (ms after open). */
export async function readStream(
  source: TokenSource,
  streamIndex = 0,
  clock: Clock = systemClock,
): Promise<{ chunks: SourceChunk[]; offsetsMs: number[]; upstream: UpstreamRecord; startMs: number }> {
  const upstream = new UpstreamRecord();
  const iterable = source.open({ clock, streamIndex, observer: upstream });
  const startMs = clock.nowMs();
  const chunks: SourceChunk[] = [];
  const offsetsMs: number[] = [];
  for await (const chunk of iterable) {
    offsetsMs.push(clock.nowMs() - startMs);
    chunks.push(chunk);
  }
  return { chunks, offsetsMs, upstream, startMs };
}

/** The error a stream fails with (fails the test when it does not fail). */
export async function streamError(source: TokenSource, streamIndex = 0): Promise<Error> {
  try {
    await readStream(source, streamIndex);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the stream to fail, but it completed');
}

/** Content text of chunks, joined. */
export const contentOf = (chunks: SourceChunk[]) => chunks.map((chunk) => chunk.text).join('');
/** Reasoning text of chunks, joined. */
export const reasoningOf = (chunks: SourceChunk[]) => chunks.map((chunk) => chunk.reasoning ?? '').join('');

interface JumpTimer {
  id: number;
  dueMs: number;
  callback: () => void;
}

/**
 * A clock for exact scheduling tests: time stands still until `runNextTimer` jumps to the
 * earliest timer's due time and fires it, so a chunk yielded by that timer is stamped at
 * exactly its due time.
 */
export class JumpClock implements Clock {
  private now = 0;
  private nextId = 1;
  private timers: JumpTimer[] = [];

  nowMs(): number {
    return this.now;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.nextId++, dueMs: this.now + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((timer) => timer.id !== (handle as { id: number }).id);
  }

  /** Jumps to the earliest timer and fires it; false when none is pending. */
  runNextTimer(): boolean {
    const [next] = [...this.timers].sort((a, b) => a.dueMs - b.dueMs || a.id - b.id);
    if (!next) return false;
    this.timers = this.timers.filter((timer) => timer !== next);
    this.now = Math.max(this.now, next.dueMs);
    next.callback();
    return true;
  }
}

/** Lets pending promise callbacks and one macrotask turn run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Reads a whole stream on a JumpClock, jumping to each timer as soon as the stream waits. */
export async function readStreamOnJumpClock(source: TokenSource, streamIndex = 0): Promise<{ chunks: SourceChunk[]; offsetsMs: number[] }> {
  const clock = new JumpClock();
  const iterator = source.open({ clock, streamIndex })[Symbol.asyncIterator]();
  const startMs = clock.nowMs();
  const chunks: SourceChunk[] = [];
  const offsetsMs: number[] = [];
  for (;;) {
    let settled: IteratorResult<SourceChunk> | null = null;
    const next = iterator.next().then((result) => (settled = result));
    await settle();
    while (settled === null) {
      if (!clock.runNextTimer()) await settle();
      await settle();
    }
    await next;
    const result = settled as IteratorResult<SourceChunk>;
    if (result.done) break;
    chunks.push(result.value);
    offsetsMs.push(clock.nowMs() - startMs);
  }
  return { chunks, offsetsMs };
}
