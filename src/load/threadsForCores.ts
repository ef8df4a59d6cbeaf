/** How many load threads a machine's cores carry side by side (no imports: the load wording in report/ uses it too). */

/**
 * Cores one load thread keeps busy, with what runs beside it: a Node thread's garbage collection
 * and compilation run on V8's helper threads (about 40 % of a one-thread 300-stream floor probe's
 * CPU, 186 of 475 ticks sampled per thread), and the load used 1.26-1.32 cores in all, the local
 * Redis another 0.03-0.06 (docs/benchmarks.md). A second load thread helps only where the cores
 * carry both: on 2 cores two threads fought V8's helpers, Redis and each other, and lagged more.
 */
export const CORES_PER_LOAD_THREAD = 1.5;

/** Load threads `cores` carry side by side (at least 1): one per CORES_PER_LOAD_THREAD cores. */
export function loadThreadsForCores(cores: number): number {
  return Math.max(1, Math.floor(cores / CORES_PER_LOAD_THREAD));
}
