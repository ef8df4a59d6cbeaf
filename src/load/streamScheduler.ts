/**
 * Starts a config's streams as the load settings say: one after another, a closed loop of
 * N in flight, or an open loop on planned arrival times. The work of one stream is the
 * caller's (`runOne`); this file only decides when each starts.
 */
import type { Clock } from '../clock.js';
import { createRandom, deriveSeed } from '../sources/random.js';
import { planArrivals } from './arrivals.js';
import type { LoadSettings } from './loadSettings.js';

/** One stream to run: its index, and for open loops the time it was due to start. */
export interface StreamStart {
  index: number;
  /** Clock time the stream was due (open loop); its actual start minus this is time spent queued in the tool. */
  dueAtMs: number | null;
}

/** What the scheduler did. */
export interface ScheduleOutcome {
  started: number;
  startedAtMs: number;
  endedAtMs: number;
}

/** Runs streams `firstIndex`, `firstIndex + 1`, … as `load` says (sequentially when null). */
export async function runSchedule(options: {
  load: LoadSettings | null;
  streams: number;
  firstIndex: number;
  clock: Clock;
  seed: number;
  signal?: AbortSignal;
  runOne: (start: StreamStart) => Promise<void>;
}): Promise<ScheduleOutcome> {
  const { load, clock, signal, runOne } = options;
  const startedAtMs = clock.nowMs();
  const durationMs = load?.durationS !== undefined ? load.durationS * 1000 : undefined;
  let started = 0;
  const mayStartAnother = () => started < options.streams && !signal?.aborted && (durationMs === undefined || clock.nowMs() - startedAtMs < durationMs);
  const nextIndex = () => options.firstIndex + started++;

  if (!load || load.concurrency !== undefined) {
    const concurrency = load?.concurrency ?? 1;
    const rampMs = (load?.rampS ?? 0) * 1000;
    const worker = async (workerIndex: number) => {
      if (rampMs > 0 && concurrency > 1) await sleep(clock, (rampMs * workerIndex) / concurrency);
      while (mayStartAnother()) await runOne({ index: nextIndex(), dueAtMs: null });
    };
    await Promise.all(Array.from({ length: concurrency }, (_, workerIndex) => worker(workerIndex)));
  } else {
    const rate = load.rate!;
    const offsets = planArrivals({
      count: options.streams,
      perSecond: rate.perSecond,
      arrivals: rate.arrivals,
      rampMs: load.rampS * 1000,
      durationMs,
      random: createRandom(deriveSeed(options.seed, 'arrivals')),
    });
    const running: Promise<void>[] = [];
    for (const offsetMs of offsets) {
      const dueAtMs = startedAtMs + offsetMs;
      const waitMs = dueAtMs - clock.nowMs();
      if (waitMs >= 1) await sleep(clock, waitMs);
      if (signal?.aborted) break;
      running.push(runOne({ index: nextIndex(), dueAtMs }));
    }
    await Promise.all(running);
  }
  return { started, startedAtMs, endedAtMs: clock.nowMs() };
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, ms));
}
