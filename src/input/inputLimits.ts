/**
 * Upper bounds on what a scenario, a trace or a flag may ask for, each with the reason. They
 * are checked before anything runs: without them `tokens: 1e12` grew a 4 GB heap and aborted,
 * `iterations: 1e9` aborted with "invalid table size", a 50 MB scenario took 2 GB to parse,
 * and a trace offset of 1e12 ms spun on 1 ms timers (Node fires longer timers after 1 ms).
 */

/** Bytes of a scenario file: real ones are a few kB; YAML parsing costs ~40 bytes of memory per byte. */
export const SCENARIO_FILE_MAX_BYTES = 1024 * 1024;

/** Mapping keys and list items in a scenario: real ones have a few hundred. */
export const SCENARIO_MAX_NODES = 10_000;

/** Tokens per synthetic stream: each token in flight costs ~1.3 kB (plan, trace, client); real answers are below 100,000. */
export const TOKENS_MAX = 1_000_000;

/** Measured streams per config (the scenario's streams, --streams, load.streams). */
export const ITERATIONS_MAX = 1_000_000;

/** Warm-up streams per config. */
export const WARMUP_MAX = 10_000;

/** Concurrent streams of a closed loop: each holds sockets and buffers; 1,000 already saturate 2 cores. */
export const CONCURRENCY_MAX = 100_000;

/** Open-loop arrivals per second. */
export const RATE_MAX_PER_SECOND = 100_000;

/** Bytes of a trace file (a device such as /dev/zero never ends: it is refused as not a regular file). */
export const TRACE_FILE_MAX_BYTES = 256 * 1024 * 1024;

/** A trace's offsets, divided by the replay speed: at most one day, far below Node's timer limit. */
export const TRACE_OFFSET_MAX_MS = 24 * 60 * 60 * 1000;

/** The message for a value above its bound: what is allowed and why. */
export function tooLarge(what: string, limit: number, why: string): string {
  return `at most ${limit.toLocaleString('en-US')} ${what} (${why})`;
}
