import { z } from 'zod';
import { MAX_TIMER_MS } from '../clockLimits.js';
import { CONCURRENCY_MAX, ITERATIONS_MAX, RATE_MAX_PER_SECOND, tooLarge } from '../input/inputLimits.js';

/**
 * How many streams run at once. Without a `load` block a config's streams run one after
 * another (the scenario's `streams`); with one, they overlap: a closed loop keeps `concurrency` streams
 * in flight, an open loop starts streams at a `rate` whatever is still in flight.
 */
export const loadSettingsSchema = z
  .strictObject({
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(CONCURRENCY_MAX, tooLarge('concurrent streams', CONCURRENCY_MAX, 'each holds sockets, buffers and its plan; 1,000 already saturate 2 cores'))
      .optional()
      .describe('closed loop: keep this many streams in flight; a finished stream is replaced at once'),
    rate: z
      .strictObject({
        perSecond: z
          .number()
          .positive()
          .max(RATE_MAX_PER_SECOND, tooLarge('streams per second', RATE_MAX_PER_SECOND, 'each arrival opens a stream with its own connections'))
          .describe('stream arrivals per second'),
        arrivals: z.enum(['constant', 'poisson']).default('constant').describe('constant: evenly spaced; poisson: exponential gaps (seeded)'),
      })
      .optional()
      .describe('open loop: start streams at this rate, however many are still running'),
    streams: z
      .number()
      .int()
      .min(1)
      .max(ITERATIONS_MAX, tooLarge('streams', ITERATIONS_MAX, 'every measured stream keeps a sample in memory and in the result file'))
      .optional()
      .describe("streams to start in all (default: the scenario's streams)"),
    durationS: z
      .number()
      .positive()
      .max(MAX_TIMER_MS / 1000, 'at most 2,147,483 seconds (about 24.8 days, the longest timer Node honours)')
      .optional()
      .describe('stop starting new streams after this many seconds (whichever of streams and durationS comes first)'),
    rampS: z
      .number()
      .nonnegative()
      .default(0)
      .describe('closed loop: spread the start of the concurrent streams over this many seconds; open loop: raise the rate linearly from 0 over this many seconds'),
    sampleEveryS: z
      .number()
      .positive()
      .default(5)
      .describe("seconds between samples of the tool's heap, RSS and active handles while the load runs (load.resources in the result; a soak run shows their growth)"),
    workers: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe(
        'worker threads that share the load, each running its share of the streams with its own relay server, client and Redis connections; results are merged exactly. More than the cores the machine has only adds contention. Unset: 1, or as many as the planned tokens per second need (one thread per 10,000 tokens/s, at most the cores) when the source plans its pace (synthetic); the result says when streambench chose',
      ),
  })
  .refine((load) => (load.concurrency === undefined) !== (load.rate === undefined), {
    message: 'set exactly one of concurrency (closed loop) and rate (open loop)',
  })
  .describe('Concurrent streams: closed loop (concurrency) or open loop (rate)');
export type LoadSettings = z.infer<typeof loadSettingsSchema>;

/** Whether a config's streams run at once (a closed loop of more than one, or arrivals at a rate): they share the process and end in waves. */
export function streamsOverlap(load: LoadSettings | null | undefined): boolean {
  return load != null && load.concurrency !== 1;
}
