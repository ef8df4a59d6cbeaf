/**
 * Samples the tool's own memory and handles while a config's load runs, so a long (soak) run
 * shows whether anything grows: JS heap in use, resident set size, and the thread's active
 * handles and requests (sockets, timers, servers). I/O at the edge; the growth figure is pure.
 */
import type { Clock } from '../clock.js';

/** One sample, `atS` seconds after sampling began. */
export interface ResourceSample {
  atS: number;
  heapUsedMB: number;
  rssMB: number;
  activeResources: number;
}

/** What a soak looks at: samples, and growth from the first third of the samples to the last. */
export interface ResourceReport {
  samples: ResourceSample[];
  /** Median heap of the last third of samples − median of the first third, in MB (medians ride out the garbage collector's sawtooth). */
  heapGrowthMB: number | null;
  /** Median active resources of the last third − of the first third. */
  activeResourcesGrowth: number | null;
}

const MB = 1024 * 1024;

function takeSample(startMs: number, clock: Clock): ResourceSample {
  const memory = process.memoryUsage();
  return {
    atS: Math.round(clock.nowMs() - startMs) / 1000,
    heapUsedMB: memory.heapUsed / MB,
    rssMB: memory.rss / MB,
    activeResources: process.getActiveResourcesInfo().length,
  };
}

/**
 * Samples every `intervalMs` while the load runs; `stop(untilS)` returns the report of the
 * samples up to `untilS` (a timed run's duration: the drain after it, with fewer streams in
 * flight, would read as shrinkage).
 */
export function sampleResources(clock: Clock, intervalMs: number): { stop(untilS?: number): ResourceReport } {
  const startMs = clock.nowMs();
  const samples: ResourceSample[] = [];
  const timer = setInterval(() => samples.push(takeSample(startMs, clock)), intervalMs);
  // Sampling must never keep the process alive on its own.
  timer.unref();
  return {
    stop(untilS = Infinity) {
      clearInterval(timer);
      return resourceReport(samples.filter((sample) => sample.atS <= untilS));
    },
  };
}

/** The report of a list of samples (growth null with fewer than 3 samples). Pure. */
export function resourceReport(samples: ResourceSample[]): ResourceReport {
  if (samples.length < 3) return { samples, heapGrowthMB: null, activeResourcesGrowth: null };
  const third = Math.max(1, Math.floor(samples.length / 3));
  const first = samples.slice(0, third);
  const last = samples.slice(-third);
  const median = (part: ResourceSample[], pick: (sample: ResourceSample) => number) => {
    const values = part.map(pick).sort((a, b) => a - b);
    const middle = Math.floor(values.length / 2);
    // part is never empty (third >= 1), so middle (and, length even, middle - 1) is in range.
    return values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
  };
  return {
    samples,
    heapGrowthMB: median(last, (sample) => sample.heapUsedMB) - median(first, (sample) => sample.heapUsedMB),
    activeResourcesGrowth: median(last, (sample) => sample.activeResources) - median(first, (sample) => sample.activeResources),
  };
}
