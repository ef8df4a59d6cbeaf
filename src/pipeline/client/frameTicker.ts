/**
 * One display's animation frames, shared by every client on a clock: the clients' frame
 * requests for the same boundary are served by one timer, as one display's
 * requestAnimationFrame serves all its pages. Per-client timers gave the same render times
 * (boundaries are multiples of the frame length of clock time either way) at one timer per
 * render — under load, thousands a second.
 */
import type { Clock, TimerHandle } from '../../clock.js';

/**
 * The first frame boundary strictly after `nowMs`, frames falling on multiples of `frameMs`
 * of clock time. Strictly after, because a frame requested during a frame (same instant)
 * runs on the next one, as requestAnimationFrame does. The corrections guard against
 * floating-point division landing one frame off (16.7 is not exact in binary).
 */
export function nextFrameBoundaryMs(nowMs: number, frameMs: number): number {
  let frame = Math.floor(nowMs / frameMs) + 1;
  while (frame * frameMs <= nowMs) frame++;
  while (frame > 1 && (frame - 1) * frameMs > nowMs) frame--;
  return frame * frameMs;
}

/** The callbacks waiting for one frame boundary, and its timer. */
interface Frame {
  timer: TimerHandle;
  callbacks: Set<() => void>;
}

/** Frame requests on one clock with one frame length; see the file comment. */
export class FrameTicker {
  /** Pending frames by boundary (ms of clock time): usually one, two when a frame's timer runs late. */
  private readonly frames = new Map<number, Frame>();

  constructor(
    private readonly clock: Clock,
    private readonly frameMs: number,
  ) {}

  /** Runs `callback` at the first frame boundary strictly after now; returns that boundary (to cancel). */
  request(callback: () => void): number {
    const nowMs = this.clock.nowMs();
    const boundaryMs = nextFrameBoundaryMs(nowMs, this.frameMs);
    let frame = this.frames.get(boundaryMs);
    if (frame === undefined) {
      frame = { timer: this.clock.setTimer(() => this.fire(boundaryMs), boundaryMs - nowMs), callbacks: new Set() };
      this.frames.set(boundaryMs, frame);
    }
    frame.callbacks.add(callback);
    return boundaryMs;
  }

  /** Withdraws `callback` from the frame at `boundaryMs`; the frame's timer goes when nobody waits for it. */
  cancel(boundaryMs: number, callback: () => void): void {
    const frame = this.frames.get(boundaryMs);
    if (frame === undefined || !frame.callbacks.delete(callback) || frame.callbacks.size > 0) return;
    this.clock.clearTimer(frame.timer);
    this.frames.delete(boundaryMs);
  }

  /** Frames with a timer pending (for tests). */
  get pendingFrames(): number {
    return this.frames.size;
  }

  private fire(boundaryMs: number): void {
    const frame = this.frames.get(boundaryMs);
    this.frames.delete(boundaryMs);
    if (frame === undefined) return;
    // In request order, as requestAnimationFrame runs its callbacks. A callback must not throw
    // (the scheduler's catches its render's errors): the other clients' frames would be lost.
    for (const callback of frame.callbacks) callback();
  }
}

const tickersByClock = new WeakMap<Clock, Map<number, FrameTicker>>();

/** The ticker all clients on `clock` with frames of `frameMs` share. */
export function sharedFrameTicker(clock: Clock, frameMs: number): FrameTicker {
  let byFrameMs = tickersByClock.get(clock);
  if (byFrameMs === undefined) {
    byFrameMs = new Map();
    tickersByClock.set(clock, byFrameMs);
  }
  let ticker = byFrameMs.get(frameMs);
  if (ticker === undefined) {
    ticker = new FrameTicker(clock, frameMs);
    byFrameMs.set(frameMs, ticker);
  }
  return ticker;
}
