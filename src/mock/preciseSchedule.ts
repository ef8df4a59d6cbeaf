/**
 * Sends a schedule's chunks on time to a fraction of a millisecond: a timer sleeps until
 * shortly before each chunk is due (Node's timers fire up to a millisecond or more late),
 * then the loop polls the clock on every event-loop turn until the due time. It costs CPU
 * in those last moments, so only the accuracy benchmark asks for it.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import type { SyntheticStreamPlan } from '../sources/synthetic.js';
import type { SourceChunk } from '../sources/types.js';

// How long before a chunk is due the timer hands over to polling.
const POLL_WINDOW_MS = 2;

/** Yields each chunk at `startMs + offsetsMs[i]` on the clock, polling the last moments; stops when `signal` aborts. */
export async function* emitPrecisely(plan: SyntheticStreamPlan, startMs: number, clock: Clock, signal?: AbortSignal): AsyncGenerator<SourceChunk> {
  for (const [index, chunk] of plan.chunks.entries()) {
    const dueMs = startMs + plan.offsetsMs[index]!; // a plan has one offset per chunk
    const sleepMs = dueMs - clock.nowMs() - POLL_WINDOW_MS;
    if (sleepMs > 0) await new Promise<void>((resolve) => clock.setTimer(resolve, sleepMs));
    while (clock.nowMs() < dueMs && !signal?.aborted) await nextTurn();
    if (signal?.aborted) return;
    yield chunk;
  }
}
