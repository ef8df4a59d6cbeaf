/**
 * Starts a config's streams as the load settings say: one after another, a closed loop of
 * N in flight, or an open loop on planned arrival times. The work of one stream is the
 * caller's (`runOne`); this file only decides when each starts.
 */
import type { Clock } from '../clock.js';
import { createRandom, deriveSeed } from '../sources/random.js';
import { planArrivals } from './arrivals.js';
import type { LoadSettings } from '../scenario/loadSettings.js';

/** One stream to run: its index, and for open loops the time it was due to start. */
export interface StreamStart {
  index: number;
  /** Clock time the stream was due (open loop); its actual start minus this is time spent queued in the tool. */
  dueAtMs: number | null;
}

/** One machine's share of a run: `index` of `count` (0-based). */
export interface Shard {
  index: number;
  count: number;
}

/** What the scheduler did. */
export interface ScheduleOutcome {
  started: number;
  startedAtMs: number;
  endedAtMs: number;
}

/** The load settings that decide when streams start. */
export type ScheduleSettings = Pick<LoadSettings, 'concurrency' | 'rate' | 'durationS' | 'rampS'>;

/** Runs streams `firstIndex`, `firstIndex + 1`, … as `load` says (sequentially when null). */
export async function runSchedule(options: {
  load: ScheduleSettings | null;
  streams: number;
  firstIndex: number;
  clock: Clock;
  seed: number;
  signal?: AbortSignal;
  /** Asked before each start: true stops starting streams (e.g. after a failure). */
  shouldStop?: () => boolean;
  /** Run only this machine's share: global streams g with g mod count = index (`--shard`). */
  shard?: Shard;
  /**
   * Runs one stream; never rejects. A closed loop's slot takes its next stream once this one is
   * released (`release` called: its delivery is over) or settled, and the slot's stream before
   * it has settled.
   */
  runOne: (start: StreamStart, release: () => void) => Promise<void>;
}): Promise<ScheduleOutcome> {
  const { load, clock, signal, runOne } = options;
  const startedAtMs = clock.nowMs();
  const durationMs = load?.durationS !== undefined ? load.durationS * 1000 : undefined;
  const shard = options.shard ?? { index: 0, count: 1 };
  // Global stream numbers this shard runs: index, index + count, … below streams — the same
  // streams, arrivals and text as one big run (computed, not listed: `streams` may be huge with durationS).
  const ownStreamCount = shard.index < options.streams ? Math.ceil((options.streams - shard.index) / shard.count) : 0;
  let started = 0;
  const mayStartAnother = () => started < ownStreamCount && !signal?.aborted && !options.shouldStop?.() && (durationMs === undefined || clock.nowMs() - startedAtMs < durationMs);
  const nextIndex = () => options.firstIndex + shard.index + shard.count * started++;

  if (!load || load.concurrency !== undefined) {
    const totalConcurrency = load?.concurrency ?? 1;
    // Each shard keeps its share of the concurrency, so N shards together keep the whole of it.
    const concurrency = Math.max(1, Math.floor(totalConcurrency / shard.count) + (shard.index < totalConcurrency % shard.count ? 1 : 0));
    const rampMs = (load?.rampS ?? 0) * 1000;
    const worker = async (workerIndex: number) => {
      if (rampMs > 0 && concurrency > 1) await sleep(clock, (rampMs * workerIndex) / concurrency);
      // A slot's next stream starts when its stream is released, once the slot's stream before
      // that is wholly done: at most one stream per slot finishing its tail.
      let previousDone: Promise<void> = Promise.resolve();
      while (mayStartAnother()) {
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        const done = runOne({ index: nextIndex(), dueAtMs: null }, release);
        await Promise.race([released, done]);
        await previousDone;
        previousDone = done;
      }
      await previousDone;
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
    for (const [stream, offsetMs] of offsets.entries()) {
      if (stream % shard.count !== shard.index) continue;
      const dueAtMs = startedAtMs + offsetMs;
      const waitMs = dueAtMs - clock.nowMs();
      if (waitMs >= 1) await sleep(clock, waitMs);
      if (signal?.aborted || options.shouldStop?.()) break;
      running.push(runOne({ index: nextIndex(), dueAtMs }, () => {}));
    }
    await Promise.all(running);
  }
  return { started, startedAtMs, endedAtMs: clock.nowMs() };
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, ms));
}
