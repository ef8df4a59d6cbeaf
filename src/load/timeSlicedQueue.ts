/**
 * A queue that runs its jobs in order, a few milliseconds' worth per turn of the event loop
 * (per setImmediate check phase, with the timers phase in between). Under load, streams end in
 * bunches — a poll phase reads the end of many of them — and their end-of-stream work (each
 * stream's summary into the config's distributions) run back to back kept the loop from the
 * other streams' timers for tens of ms: their sources emitted late (source lag). Spread over
 * turns, those timers fire between the slices. The work is the same and still done within the
 * load (its CPU counted), and a busy loop's long turns cannot hold the queue back: each turn
 * runs as many jobs as fit in its budget.
 */
import { monotonicNowMs } from '../clock.js';

/** How long one turn may run jobs (ms): at least one job, then more while within this. */
export const JOB_TURN_BUDGET_MS = 2;

/** Runs each job given to `run` after those before it, a few ms of them per event-loop turn. */
export interface TimeSlicedQueue {
  /** Runs `job` in a later turn, after every job queued before it; resolves with what it returned. */
  run<T>(job: () => T): Promise<T>;
}

/** A new, empty queue. */
export function timeSlicedQueue(budgetMs = JOB_TURN_BUDGET_MS): TimeSlicedQueue {
  const jobs: (() => void)[] = [];
  let next = 0;
  let scheduled = false;
  const runTurn = () => {
    const turnStartMs = monotonicNowMs();
    do {
      const job = jobs[next];
      jobs[next++] = noJob;
      job?.();
    } while (next < jobs.length && monotonicNowMs() - turnStartMs < budgetMs);
    if (next === jobs.length) {
      jobs.length = 0;
      next = 0;
      scheduled = false;
    } else {
      // An immediate queued while the check phase runs goes in the next turn (Node's documented order).
      setImmediate(runTurn);
    }
  };
  return {
    run<T>(job: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        jobs.push(() => {
          try {
            resolve(job());
          } catch (error) {
            reject(error as Error);
          }
        });
        if (!scheduled) {
          scheduled = true;
          setImmediate(runTurn);
        }
      });
    },
  };
}

function noJob(): void {}
