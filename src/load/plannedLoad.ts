/**
 * What a load asks of the tool before it runs, from its settings and the source's plan:
 * streams in flight at once and tokens per second. Sizes the relay's listening sockets and
 * decides whether the load spreads over worker threads, or its producer side into a process of
 * its own, by itself. Pure.
 */
import type { LoadSettings } from '../scenario/loadSettings.js';
import type { ResolvedSourceSettings } from '../sources/sourceSettings.js';
import { planSyntheticStream } from '../sources/synthetic.js';
import type { Shard } from './streamScheduler.js';
import { loadThreadsForCores } from './threadsForCores.js';

/** Tokens per second one thread is given before the load spreads over more (200 streams at 50 tokens/s; bench:floor held 300 on one thread only on a quiet machine). */
export const TOKENS_PER_SECOND_PER_THREAD = 10_000;
/** Plans sampled to learn a synthetic source's pace (they are deterministic for a seed). */
const PLANS_SAMPLED = 8;
/** Open loop with a source whose pace is not planned (http, replay): streams assumed to last this long, only to size listening sockets. */
const UNPLANNED_STREAM_S = 10;

/** One stream as the source plans it: tokens and seconds from request to the last chunk (null: the source plans no pace). */
export function plannedStream(source: ResolvedSourceSettings, seed: number): { tokens: number; seconds: number } | null {
  if (source.type !== 'synthetic') return null;
  let tokens = 0;
  let ms = 0;
  for (let index = 0; index < PLANS_SAMPLED; index++) {
    const plan = planSyntheticStream(source, seed, index);
    for (const chunk of plan.chunks) tokens += chunk.tokens;
    ms += plan.offsetsMs.at(-1) ?? 0;
  }
  return ms > 0 ? { tokens: tokens / PLANS_SAMPLED, seconds: ms / 1000 / PLANS_SAMPLED } : null;
}

/** Streams in flight at once in this thread's share (`share`: the machine's shard, divided again among worker threads). */
export function concurrencyOfShare(load: LoadSettings | undefined, share: Shard, stream: { seconds: number } | null): number {
  if (!load) return 1;
  const inFlight = load.concurrency ?? (load.rate?.perSecond ?? 0) * (stream?.seconds ?? UNPLANNED_STREAM_S);
  // A closed loop never has more in flight than it has streams to run.
  const total = load.streams !== undefined ? Math.min(inFlight, load.streams) : inFlight;
  return Math.max(1, Math.ceil(total / share.count));
}

/** Worker threads a load is spread over when its scenario did not set `load.workers` (one per TOKENS_PER_SECOND_PER_THREAD planned, at most loadThreadsForCores), with the planned rate that decided it. */
export function automaticWorkers(
  load: LoadSettings,
  stream: { tokens: number; seconds: number } | null,
  shardCount: number,
  cores: number,
): { workers: number; plannedTokensPerSecond: number | null } {
  if (!stream || stream.seconds <= 0) return { workers: 1, plannedTokensPerSecond: null };
  const concurrency = concurrencyOfShare(load, { index: 0, count: shardCount }, stream);
  const plannedTokensPerSecond = (concurrency * stream.tokens) / stream.seconds;
  const workers = Math.max(1, Math.min(loadThreadsForCores(cores), Math.ceil(plannedTokensPerSecond / TOKENS_PER_SECOND_PER_THREAD)));
  return { workers, plannedTokensPerSecond };
}

/**
 * Whether a load whose scenario left both `load.workers` and `pipeline.processes` unset runs its
 * producer side in a child process (`processes: split`): when its planned tokens per second need
 * more than one thread but the machine's cores carry only one load thread (2 cores, where a second
 * worker thread lagged more), yet more than one core. Splitting puts the source, batcher,
 * serializer and broker writes on the other core and leaves the consumer side on this one; with
 * the planned rate that decided it.
 */
export function automaticProducerProcess(
  load: LoadSettings,
  stream: { tokens: number; seconds: number } | null,
  shardCount: number,
  cores: number,
): { split: boolean; plannedTokensPerSecond: number | null } {
  const { plannedTokensPerSecond } = automaticWorkers(load, stream, shardCount, cores);
  if (plannedTokensPerSecond === null) return { split: false, plannedTokensPerSecond };
  return { split: cores >= 2 && loadThreadsForCores(cores) === 1 && plannedTokensPerSecond > TOKENS_PER_SECOND_PER_THREAD, plannedTokensPerSecond };
}
