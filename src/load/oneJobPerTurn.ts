/**
 * A queue that runs its jobs in order, one per turn of the event loop (one per setImmediate
 * check phase, with the timers phase in between). Under load, streams end in bunches — a poll
 * phase reads the end of many of them — and their end-of-stream work (each stream's summary into
 * the config's distributions) run back to back kept the loop from the other streams' timers for
 * tens of ms: their sources emitted late (source lag). One job per turn lets those timers fire
 * between the jobs. The work is the same and still done within the load (its CPU counted).
 */

/** Runs each job given to `run` after those before it, at most one per event-loop turn. */
export interface OneJobPerTurn {
  /** Runs `job` in a later turn, after every job queued before it; resolves with what it returned. */
  run<T>(job: () => T): Promise<T>;
}

/** A new, empty queue. */
export function oneJobPerTurn(): OneJobPerTurn {
  const jobs: (() => void)[] = [];
  let next = 0;
  let scheduled = false;
  const runOne = () => {
    const job = jobs[next];
    jobs[next++] = noJob;
    if (next === jobs.length) {
      jobs.length = 0;
      next = 0;
    }
    // An immediate queued while the check phase runs goes in the next turn (Node's documented order).
    if (jobs.length > 0) setImmediate(runOne);
    else scheduled = false;
    job?.();
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
          setImmediate(runOne);
        }
      });
    },
  };
}

function noJob(): void {}
