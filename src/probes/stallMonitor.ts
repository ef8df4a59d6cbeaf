/**
 * The tool's own event-loop stalls, stream by stream: a timer ticks every few ms and records
 * each tick that came late, so a stream can be told the longest stall inside its own time
 * window (`toolStallMs`). A 200 ms stall (a GC pause, a busy neighbour, the tool's own
 * statistics) moves every timestamp taken during it; the stream's numbers say more about the
 * machine than about the pipeline, and `compare` treats such streams as disturbed.
 */
import { monotonicNowMs } from '../clock.js';

/** Tick period of the probe, ms. A tick later than this plus STALL_FLOOR_MS is a stall. */
const TICK_MS = 5;

/** Lateness below this is timer jitter, not a stall (ms). */
const STALL_FLOOR_MS = 5;

export { DISTURBING_STALL_MS } from './disturbingStall.js';

/** One stall: the loop was blocked from `startMs` to `endMs` (monotonic ms). */
interface Stall {
  startMs: number;
  endMs: number;
}

/** Records stalls until stopped; ask for the longest one overlapping a window. */
export class StallMonitor {
  private readonly stalls: Stall[] = [];
  private timer: ReturnType<typeof setInterval> | null;
  private lastTickMs: number;

  constructor(private readonly now: () => number = monotonicNowMs) {
    this.lastTickMs = now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    // The probe must never keep the process alive on its own.
    this.timer.unref();
  }

  /** Records a stall when this tick came later than its period allows. */
  tick(atMs: number = this.now()): void {
    const lateMs = atMs - this.lastTickMs - TICK_MS;
    if (lateMs >= STALL_FLOOR_MS) this.stalls.push({ startMs: this.lastTickMs + TICK_MS, endMs: atMs });
    this.lastTickMs = atMs;
  }

  /** The longest stall overlapping [fromMs, toMs], in ms of that overlap (0 when none). */
  longestStallMs(fromMs: number, toMs: number): number {
    // Close a stall still in progress now (the probe's own tick may be the one held up).
    this.tick();
    let longest = 0;
    for (let i = this.stalls.length - 1; i >= 0; i--) {
      const stall = this.stalls[i];
      if (stall === undefined || stall.endMs < fromMs) break; // stalls are in time order
      const overlap = Math.min(stall.endMs, toMs) - Math.max(stall.startMs, fromMs);
      if (overlap > longest) longest = overlap;
    }
    return longest;
  }

  /** Stops the timer. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
