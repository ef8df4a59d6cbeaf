/**
 * The mock server's fault decisions, pure and deterministic: whether request n fails, and
 * how a stall shifts the schedule. Drops and malformed events are decided by chunk counts
 * while streaming.
 */
import { createRandom, deriveSeed } from '../sources/random.js';
import type { SyntheticStreamPlan } from '../sources/synthetic.js';
import type { ResolvedMockFaults } from './mockSettings.js';

/** Whether the server's `requestNumber`-th request (0-based) is answered with an error status. */
export function requestFails(faults: ResolvedMockFaults, seed: number, requestNumber: number): boolean {
  if (faults.failRate <= 0) return false;
  if (faults.failRate >= 1) return true;
  return createRandom(deriveSeed(seed, 'mock-fault', requestNumber)).next() < faults.failRate;
}

/** The schedule with every chunk from `afterChunks` on delayed by `ms` (a mid-stream stall). */
export function withStall(schedule: SyntheticStreamPlan, stall: ResolvedMockFaults['stall']): SyntheticStreamPlan {
  if (!stall) return schedule;
  return {
    chunks: schedule.chunks,
    offsetsMs: schedule.offsetsMs.map((offset, index) => (index >= stall.afterChunks ? offset + stall.ms : offset)),
  };
}

/** Whether a malformed event follows the `sentChunks`-th chunk. */
export function malformedAfter(faults: ResolvedMockFaults, sentChunks: number): boolean {
  return faults.malformedEvery !== null && sentChunks > 0 && sentChunks % faults.malformedEvery === 0;
}
