/**
 * The closed loop bench:streams' in-process sides share (the parsing client, streambench's http
 * source alone): `connections` streams at a time, each loop starting its next stream as soon as
 * one ends, until the duration is over; this process's CPU over the whole.
 */
import { monotonicNowMs } from '../clock.js';

/** What a closed loop measured. */
export interface ClosedLoopOutcome {
  /** Completed streams per second over the run. */
  perSecond: number;
  /** This process's CPU over the run, in cores. */
  cpuCores: number;
  /** How long the run took, in seconds. */
  seconds: number;
  /** Streams that failed (`oneStream` threw). */
  failures: number;
  /** Content deltas per completed stream (each one timed). */
  deltasPerStream: number;
}

/** Runs `oneStream` `connections` at a time for `durationS`; each call resolves with the content deltas it timed, or throws. */
export async function runClosedLoop(connections: number, durationS: number, oneStream: () => Promise<number>): Promise<ClosedLoopOutcome> {
  let completed = 0;
  let failures = 0;
  let deltas = 0;
  const startedMs = monotonicNowMs();
  const endMs = startedMs + durationS * 1000;
  const cpuAtStart = process.cpuUsage();
  const loop = async (): Promise<void> => {
    while (monotonicNowMs() < endMs) {
      try {
        // Awaited first: `deltas += await …` would read deltas before the wait and lose the other loops' additions.
        const streamDeltas = await oneStream();
        deltas += streamDeltas;
        completed++;
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const seconds = (monotonicNowMs() - startedMs) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  return { perSecond: completed / seconds, cpuCores: (cpu.user + cpu.system) / 1e6 / seconds, seconds, failures, deltasPerStream: completed > 0 ? deltas / completed : 0 };
}
