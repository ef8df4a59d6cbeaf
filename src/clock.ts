/**
 * The one clock streambench measures with. Every timestamp in a run comes from `nowMs()`,
 * which reads the monotonic clock (`process.hrtime.bigint()`, CLOCK_MONOTONIC on Linux, so
 * child processes on the same machine share it). Never `Date.now()` for latency.
 */

/** Opaque handle returned by `Clock.setTimer`. */
export type TimerHandle = { readonly id: number } | ReturnType<typeof setTimeout>;

/** Time and timers, injectable so that time-dependent logic can be tested exactly. */
export interface Clock {
  /** Monotonic time in milliseconds (fractional, nanosecond resolution). */
  nowMs(): number;
  /** Calls `callback` once after `delayMs` milliseconds. */
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer; a no-op for a timer that already fired. */
  clearTimer(handle: TimerHandle): void;
}

/**
 * `performance.now()` reads the same CLOCK_MONOTONIC (libuv's hrtime) from this process's start,
 * without allocating a BigInt: a third of the cost of `process.hrtime.bigint()`, which a stream
 * reads several times per token. Shifted by this offset it reads hrtime's value, so timestamps
 * still compare across processes. The offset is taken between two hrtime reads (the tightest
 * of up to 100 tries): its error is half their gap, under a microsecond.
 */
const PERFORMANCE_TO_MONOTONIC_MS = (() => {
  let bestGapNs = Infinity;
  let offsetMs = 0;
  // A busy machine may preempt a try: up to 100 tries, done at the first tighter than 1 µs.
  for (let attempt = 0; attempt < 100 && bestGapNs >= 1000; attempt++) {
    const beforeNs = process.hrtime.bigint();
    const nowMs = performance.now();
    const afterNs = process.hrtime.bigint();
    const gapNs = Number(afterNs - beforeNs);
    if (gapNs < bestGapNs) {
      bestGapNs = gapNs;
      offsetMs = Number(beforeNs) / 1e6 + gapNs / 2e6 - nowMs;
    }
  }
  return offsetMs;
})();

/** Reads the monotonic clock in milliseconds. */
export function monotonicNowMs(): number {
  return performance.now() + PERFORMANCE_TO_MONOTONIC_MS;
}

/** The real clock: monotonic time and Node's timers. */
export const systemClock: Clock = {
  nowMs: monotonicNowMs,
  setTimer: (callback, delayMs) => setTimeout(callback, Math.max(0, delayMs)),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface ManualTimer {
  id: number;
  dueMs: number;
  callback: () => void;
}

/** A clock that moves only when told to: for exact tests of batching and render timing. */
export class ManualClock implements Clock {
  private currentMs: number;
  private nextId = 1;
  private timers: ManualTimer[] = [];

  constructor(startMs = 0) {
    this.currentMs = startMs;
  }

  nowMs(): number {
    return this.currentMs;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.nextId++, dueMs: this.currentMs + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimer(handle: TimerHandle): void {
    const id = (handle as { id: number }).id;
    this.timers = this.timers.filter((timer) => timer.id !== id);
  }

  /** Number of timers not yet fired. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** Jumps to the earliest pending timer and fires it; false when none is pending. */
  runNextTimer(): boolean {
    const [next] = [...this.timers].sort((a, b) => a.dueMs - b.dueMs || a.id - b.id);
    if (!next) return false;
    this.timers = this.timers.filter((timer) => timer !== next);
    this.currentMs = Math.max(this.currentMs, next.dueMs);
    next.callback();
    return true;
  }

  /** Moves time forward by `ms`, firing due timers in order of due time (then creation). */
  advance(ms: number): void {
    const targetMs = this.currentMs + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.dueMs <= targetMs).sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.currentMs = Math.max(this.currentMs, due.dueMs);
      due.callback();
    }
    this.currentMs = targetMs;
  }
}
