/**
 * When a browser client paints: on every event, after a trailing debounce (the seed's
 * proposal 5), on a leading+trailing throttle, or on animation frames. The scheduler only
 * decides *when*; the client owns the render itself.
 *
 * All timing goes through the injected Clock, so a ManualClock makes every render time in
 * a test exact.
 */
import type { Clock, TimerHandle } from '../../clock.js';
import { type FrameTicker, sharedFrameTicker } from './frameTicker.js';
import type { RenderScheduler, RenderSettings } from './types.js';

/** Someone awaiting `settle()`. */
interface SettleWaiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The one render a timer-based strategy may have pending, and the `settle()` promises
 * waiting for it. A render that throws inside a timer rejects the waiters (or the next
 * `settle()`), so the error reaches `finish()` instead of escaping as an uncaught exception.
 */
class PendingRender {
  private timer: TimerHandle | null = null;
  /** The frame boundary requested from `frames`, if any. */
  private frameBoundaryMs: number | null = null;
  private waiters: SettleWaiter[] = [];
  private failure: { error: unknown } | null = null;
  /** One callback for every timer and frame (a fresh closure per render would be garbage per render). */
  private readonly onDue = (): void => {
    if (!this.isPending) return; // cancelled while its frame was firing (another client's render disposed it)
    this.timer = null;
    this.frameBoundaryMs = null;
    this.fire();
  };

  constructor(
    private readonly clock: Clock,
    private readonly render: () => void,
    private readonly frames: FrameTicker | null = null,
  ) {}

  /** Whether a render is scheduled and has not fired yet. */
  get isPending(): boolean {
    return this.timer !== null || this.frameBoundaryMs !== null;
  }

  /** Schedules the render `delayMs` from now, replacing any render already scheduled. */
  scheduleIn(delayMs: number): void {
    this.cancelTimer();
    this.timer = this.clock.setTimer(this.onDue, delayMs);
  }

  /** Schedules the render on the next frame of the shared ticker, replacing any render already scheduled. */
  scheduleNextFrame(): void {
    this.cancelTimer();
    this.frameBoundaryMs = this.frames!.request(this.onDue);
  }

  /** Resolves once nothing is pending; rejects if the render that fired threw. */
  settle(): Promise<void> {
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (!this.isPending) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Cancels the pending render; waiters resolve, because nothing is pending any more. */
  dispose(): void {
    this.cancelTimer();
    this.releaseWaiters(null);
  }

  /** Renders now, outside any timer (`every`, a throttle's leading edge): a render that throws is kept for `settle()` like a timer's. */
  fireNow(): void {
    this.fire();
  }

  private fire(): void {
    try {
      this.render();
    } catch (error) {
      if (this.waiters.length === 0) this.failure = { error };
      this.releaseWaiters({ error });
      return;
    }
    this.releaseWaiters(null);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    if (this.frameBoundaryMs !== null) this.frames!.cancel(this.frameBoundaryMs, this.onDue);
    this.timer = null;
    this.frameBoundaryMs = null;
  }

  private releaseWaiters(failure: { error: unknown } | null): void {
    if (this.waiters.length === 0) return; // the usual case: no fresh array per render
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (failure) waiter.reject(failure.error);
      else waiter.resolve();
    }
  }
}

export { nextFrameBoundaryMs } from './frameTicker.js';

/** Rejects settings a timer cannot honour, naming the option and the fix. */
function validateRenderSettings(settings: RenderSettings): void {
  const check = (option: string, value: number, allowZero: boolean, hint: string): void => {
    const valid = Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
    if (!valid) {
      const bound = allowZero ? 'a finite number >= 0' : 'a finite number > 0';
      throw new RangeError(`render.${option} must be ${bound} of milliseconds (got ${value}); ${hint}`);
    }
  };
  switch (settings.strategy) {
    case 'every':
      return;
    case 'debounce':
      return check('delayMs', settings.delayMs, true, 'the seed proposes 50, the field uses 16');
    case 'throttle':
      return check('intervalMs', settings.intervalMs, false, 'try 50, or use strategy "every"');
    case 'frame':
      return check('frameMs', settings.frameMs, false, 'use 16.7 for a 60 Hz display');
    default: {
      const unknown: never = settings;
      throw new RangeError(`render.strategy must be every, debounce, throttle or frame (got ${JSON.stringify(unknown)})`);
    }
  }
}

/**
 * Creates the scheduler for `settings`: it calls `renderNow` when the strategy says the
 * client should paint.
 *
 * - `every`: renders synchronously on each notify.
 * - `debounce`: every notify restarts a `delayMs` timer (the seed's clearTimeout/setTimeout);
 *   it never fires while notifies come faster than `delayMs` — the trap to show.
 * - `throttle`: leading and trailing edge; a notify renders at once if the last render was
 *   at least `intervalMs` ago, otherwise one trailing render is scheduled at
 *   lastRender + intervalMs (at most one pending).
 * - `frame`: requestAnimationFrame model; a notify requests the next frame boundary
 *   (a multiple of `frameMs` of clock time) unless one is requested; a frame renders once
 *   however many notifies came. All schedulers on one clock share the frames' timers (FrameTicker).
 *
 * Notifies after `dispose()` are ignored: the page is gone.
 */
export function createRenderScheduler(settings: RenderSettings, clock: Clock, renderNow: () => void): RenderScheduler {
  validateRenderSettings(settings);
  let disposed = false;

  // Throttle needs the time of the last render, whichever edge it came from (the others do not read the clock for it).
  let lastRenderAtMs: number | null = null;
  const renderAndRecord =
    settings.strategy === 'throttle'
      ? (): void => {
          lastRenderAtMs = clock.nowMs();
          renderNow();
        }
      : renderNow;
  // Frames come from the ticker every client on this clock shares: one timer per frame, not per render.
  const frames = settings.strategy === 'frame' ? sharedFrameTicker(clock, settings.frameMs) : null;
  const pending = new PendingRender(clock, renderAndRecord, frames);

  const notifyByStrategy = (): void => {
    switch (settings.strategy) {
      case 'every':
        pending.fireNow();
        return;
      case 'debounce':
        pending.scheduleIn(settings.delayMs);
        return;
      case 'throttle': {
        if (pending.isPending) return; // the trailing render will paint this too
        const nowMs = clock.nowMs();
        if (lastRenderAtMs === null || nowMs - lastRenderAtMs >= settings.intervalMs) {
          pending.fireNow();
        } else {
          pending.scheduleIn(lastRenderAtMs + settings.intervalMs - nowMs);
        }
        return;
      }
      case 'frame': {
        if (pending.isPending) return; // this frame is already requested
        pending.scheduleNextFrame();
        return;
      }
    }
  };

  return {
    notify() {
      if (!disposed) notifyByStrategy();
    },
    settle: () => pending.settle(),
    dispose() {
      disposed = true;
      pending.dispose();
    },
  };
}
