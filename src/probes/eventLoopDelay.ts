import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Summary } from '../result/resultSchema.js';

/** Starts sampling the process's event-loop delay; `stop()` returns its summary in ms, `peek()` the summary so far. */
export function watchEventLoopDelay(): { stop(): Summary | null; peek(): Summary | null } {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  return {
    peek: () => summarizeIntervalHistogram(histogram),
    stop() {
      histogram.disable();
      return summarizeIntervalHistogram(histogram);
    },
  };
}

/** Converts Node's nanosecond delay histogram to a millisecond Summary (null when empty). */
export function summarizeIntervalHistogram(histogram: IntervalHistogram): Summary | null {
  if (histogram.count === 0) return null;
  const ms = (ns: number) => ns / 1e6;
  return {
    n: histogram.count,
    min: ms(histogram.min),
    mean: ms(histogram.mean),
    p50: ms(histogram.percentile(50)),
    p90: ms(histogram.percentile(90)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    stddev: ms(histogram.stddev),
  };
}
