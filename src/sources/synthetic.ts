/**
 * The synthetic token source: generated assistant-like text, chunked at a granularity and
 * emitted on a modelled schedule (TTFT, gaps, bursts, stalls). The plan is pure and
 * deterministic for (settings, seed, streamIndex); only `open()` touches the clock.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { chunkTokens } from './chunking.js';
import { generateText } from './corpus.js';
import { sampleMs } from './distributions.js';
import { createRandom, deriveSeed } from './random.js';
import type { BurstSetting, ResolvedSyntheticSettings } from './syntheticSchema.js';
import { tokenize } from './tokenize.js';
import type { PushableChunks, SourceChunk, SourceObserver, TokenSource } from './types.js';

/** The chunks of one stream and when each arrives, in ms from request start. */
export interface SyntheticStreamPlan {
  chunks: SourceChunk[];
  /** offsetsMs[i]: arrival time of chunks[i] relative to request start (non-decreasing). */
  offsetsMs: number[];
}

/**
 * Without a timer between chunks, hand control to the macrotask queue after this many, so
 * consumers' I/O and timers still run during zero-delay streams.
 */
export const CHUNKS_PER_MACROTASK_YIELD = 64;

/** Exactly `settings.tokens` tokens of generated text, from the stream's text seed. */
function streamTokens(settings: ResolvedSyntheticSettings, seed: number, streamIndex: number): string[] {
  const textSeed = deriveSeed(seed, 'text', streamIndex);
  // The corpus runs at roughly 4–5 characters per token; generate more until it suffices.
  let minChars = settings.tokens * 6;
  for (;;) {
    const tokens = tokenize(generateText(createRandom(textSeed), settings.text, minChars));
    if (tokens.length >= settings.tokens) return tokens.slice(0, settings.tokens);
    minChars *= 2;
  }
}

/** Whether a chunk sent after `emittedTokens` tokens falls inside a burst. */
function isInBurst(emittedTokens: number, bursts: BurstSetting): boolean {
  return emittedTokens >= bursts.everyTokens && emittedTokens % bursts.everyTokens < bursts.lengthTokens;
}

/** Arrival offsets of the chunks: TTFT, then per chunk a gap (or burst gap) plus any stalls due. */
function planOffsets(settings: ResolvedSyntheticSettings, chunks: readonly SourceChunk[], seed: number, streamIndex: number): number[] {
  // One generator per purpose, so adding a stall or a burst leaves every other delay as it was.
  const ttftRandom = createRandom(deriveSeed(seed, 'timing', streamIndex, 'ttft'));
  const gapRandom = createRandom(deriveSeed(seed, 'timing', streamIndex, 'gap'));
  const burstRandom = createRandom(deriveSeed(seed, 'timing', streamIndex, 'burst'));
  const stallRandom = createRandom(deriveSeed(seed, 'timing', streamIndex, 'stall'));
  const stalls = [...settings.stalls].sort((a, b) => a.afterTokens - b.afterTokens);
  const bursts = settings.bursts;

  const offsetsMs: number[] = [];
  let nextStall = 0;
  let emittedTokens = 0;
  let timeMs = 0;
  chunks.forEach((chunk, index) => {
    let delayMs: number;
    if (index === 0) {
      delayMs = sampleMs(settings.ttftMs, ttftRandom);
    } else {
      // Drawn even inside a burst, so the gaps after the burst do not depend on it.
      const normalGapMs = sampleMs(settings.gapMs, gapRandom);
      delayMs = bursts !== null && isInBurst(emittedTokens, bursts) ? sampleMs(bursts.gapMs, burstRandom) : normalGapMs;
    }
    for (let stall = stalls[nextStall]; stall !== undefined && stall.afterTokens <= emittedTokens; stall = stalls[nextStall]) {
      delayMs += sampleMs(stall.ms, stallRandom);
      nextStall++;
    }
    timeMs += delayMs;
    offsetsMs.push(timeMs);
    emittedTokens += chunk.tokens;
  });
  return offsetsMs;
}

/**
 * Plans one stream: its chunks and their arrival offsets. Text and timing come from
 * independent sub-seeds (changing timing settings never changes the text); the same
 * seed and streamIndex always give the same plan.
 */
export function planSyntheticStream(settings: ResolvedSyntheticSettings, seed: number, streamIndex: number): SyntheticStreamPlan {
  const chunks = chunkTokens(streamTokens(settings, seed, streamIndex), settings.granularity).map((chunk, index): SourceChunk => ({
    index,
    text: chunk.text,
    tokens: chunk.tokens,
  }));
  return { chunks, offsetsMs: planOffsets(settings, chunks, seed, streamIndex) };
}

/** Resolves on the next turn of the event loop, after pending I/O callbacks. */
function yieldToMacrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Paces one stream's chunks against its plan: `ready(index)` is true when chunk `index` may go
 * now, a promise when it must wait (for its due time, or one setImmediate per 64 chunks so
 * zero-delay runs stay cheap), false (or a promise of false) once `signal` aborted. Waits under
 * 1 ms are skipped (a timer could not honour them anyway), so a chunk may come up to 1 ms early.
 */
function schedulePacer(plan: SyntheticStreamPlan, startMs: number, clock: Clock, signal: AbortSignal | undefined, observer: LagObserver | undefined) {
  let chunksSinceMacrotask = 0;
  // One abort listener per stream, not one per chunk (under load that is 50,000 a second): it
  // ends the wait in progress early.
  let endWaitEarly: (() => void) | null = null;
  const onAbort = () => endWaitEarly?.();
  signal?.addEventListener('abort', onAbort, { once: true });
  const waitOnClock = (delayMs: number) =>
    new Promise<void>((resolve) => {
      const handle = clock.setTimer(resolve, delayMs);
      endWaitEarly = () => {
        clock.clearTimer(handle);
        resolve();
      };
    });
  // After a busy event loop the timer fires late: the tool could not keep the planned pace.
  const goes = (dueAtMs: number) => {
    if (signal?.aborted) return false;
    observer?.scheduleLag?.(Math.max(0, clock.nowMs() - dueAtMs));
    chunksSinceMacrotask++;
    return true;
  };
  const waitThenGo = async (dueAtMs: number, untilDue: boolean) => {
    if (untilDue) {
      // Node's timers count from the event loop's cached time, which a busy loop leaves behind,
      // so a timer can fire early: wait again for what is left.
      for (let waitMs = dueAtMs - clock.nowMs(); waitMs >= 1 && !signal?.aborted; waitMs = dueAtMs - clock.nowMs()) await waitOnClock(waitMs);
    } else {
      await yieldToMacrotasks();
    }
    chunksSinceMacrotask = 0;
    return goes(dueAtMs);
  };
  return {
    ready(index: number): boolean | Promise<boolean> {
      if (signal?.aborted) return false;
      const dueAtMs = startMs + plan.offsetsMs[index]!; // a plan has one offset per chunk, and ready() is asked for chunks only
      if (dueAtMs - clock.nowMs() >= 1) return waitThenGo(dueAtMs, true);
      if (chunksSinceMacrotask >= CHUNKS_PER_MACROTASK_YIELD) return waitThenGo(dueAtMs, false);
      return goes(dueAtMs);
    },
    dispose: () => signal?.removeEventListener('abort', onAbort),
  };
}

/** What the pacers tell: each chunk's lag behind its planned time. */
type LagObserver = Pick<SourceObserver, 'scheduleLag'>;

/** Whether a plan paces its chunks: some chunk after the first is due later than the one before it. */
function hasPace(plan: SyntheticStreamPlan): boolean {
  for (let index = 1; index < plan.offsetsMs.length; index++) if (plan.offsetsMs[index]! > plan.offsetsMs[index - 1]!) return true;
  return false;
}

/**
 * The observer a stream's lag goes to. A plan with every chunk after the first due at once (a
 * zero-delay source: as fast as the pipeline takes them) has no pace to fall behind after its
 * first chunk, so only that chunk's lag is reported: the rest would time the pipeline, not the
 * tool keeping a plan.
 */
function lagObserverOf(plan: SyntheticStreamPlan, observer: LagObserver | undefined): LagObserver | undefined {
  if (!observer?.scheduleLag || hasPace(plan)) return observer;
  let reported = false;
  return {
    scheduleLag: (lateMs) => {
      if (reported) return;
      reported = true;
      observer.scheduleLag!(lateMs);
    },
  };
}

/** Yields each planned chunk once the clock reaches `startMs + offsetsMs[i]`; returns early when `signal` aborts. */
export async function* emitOnSchedule(plan: SyntheticStreamPlan, startMs: number, clock: Clock, signal?: AbortSignal, observer?: LagObserver): AsyncGenerator<SourceChunk> {
  const pacer = schedulePacer(plan, startMs, clock, signal, observer);
  try {
    for (const [index, chunk] of plan.chunks.entries()) {
      if (!(await pacer.ready(index))) return;
      yield chunk;
    }
  } finally {
    pacer.dispose();
  }
}

/**
 * The push form of emitOnSchedule: calls `onChunk` with each planned chunk once the clock
 * reaches its time, waiting for what `onChunk` returns before the next. The same waits, the
 * same early return on abort and the same lag reports, driven by timer callbacks: no promise,
 * no async step per chunk (under load that is 50,000 chunks a second), only one per wait for
 * an awaiting consumer.
 */
export function pushOnSchedule(
  plan: SyntheticStreamPlan,
  startMs: number,
  clock: Clock,
  signal: AbortSignal | undefined,
  observer: LagObserver | undefined,
  onChunk: (chunk: SourceChunk) => void | Promise<void>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let index = 0;
    let chunksSinceMacrotask = 0;
    let timer: TimerHandle | null = null;
    let finished = false;
    const finish = (error?: unknown) => {
      if (finished) return;
      finished = true;
      if (timer !== null) clock.clearTimer(timer);
      timer = null;
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error as Error);
    };
    // A wait for a chunk's time ends at once on abort; a wait for the consumer ends with it.
    const onAbort = () => {
      if (timer !== null) finish();
    };
    const afterWait = () => {
      timer = null;
      chunksSinceMacrotask = 0;
      step();
    };
    const step = (): void => {
      if (finished) return;
      try {
        while (index < plan.chunks.length) {
          if (signal?.aborted) return finish();
          const dueAtMs = startMs + plan.offsetsMs[index]!; // a plan has one offset per chunk
          // Node's timers count from the event loop's cached time, which a busy loop leaves
          // behind, so a timer can fire early: then this waits again for what is left. Waits
          // under 1 ms are skipped (a timer could not honour them anyway).
          const nowMs = clock.nowMs();
          const waitMs = dueAtMs - nowMs;
          if (waitMs >= 1) {
            timer = clock.setTimer(afterWait, waitMs);
            return;
          }
          if (chunksSinceMacrotask >= CHUNKS_PER_MACROTASK_YIELD) {
            // Zero-delay streams still let the consumers' I/O and timers run.
            chunksSinceMacrotask = 0;
            setImmediate(step);
            return;
          }
          // After a busy event loop the timer fires late: the tool could not keep the planned pace
          // (the clock read just above: one read per chunk, not two).
          observer?.scheduleLag?.(Math.max(0, nowMs - dueAtMs));
          chunksSinceMacrotask++;
          const wait = onChunk(plan.chunks[index++]!);
          if (wait) {
            wait.then(step, finish);
            return;
          }
        }
        finish();
      } catch (error) {
        finish(error);
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    step();
  });
}

/** Plans a synthetic source keeps for reuse across configs (a 400-token plan is about 50 KB). */
const MAX_CACHED_PLANS = 1024;

/** A token source of synthetic streams; stream i of a run uses plan (settings, seed, i). */
export function createSyntheticSource(settings: ResolvedSyntheticSettings, seed: number): TokenSource {
  const plans = new Map<number, SyntheticStreamPlan>();
  // Plans are deterministic, so every config of a run reuses the same one per stream. The cache
  // is bounded (oldest out first): a long soak run opens tens of thousands of streams, and an
  // evicted plan is simply planned again.
  const planOf = (streamIndex: number): SyntheticStreamPlan => {
    let plan = plans.get(streamIndex);
    if (!plan) {
      plan = planSyntheticStream(settings, seed, streamIndex);
      if (plans.size >= MAX_CACHED_PLANS) plans.delete(plans.keys().next().value!);
      plans.set(streamIndex, plan);
    }
    return plan;
  };
  return {
    kind: 'synthetic',
    describe: () => structuredClone({ ...settings, seed }),
    prepare(streamIndex) {
      planOf(streamIndex);
    },
    open({ clock, streamIndex, signal, observer: streamObserver, startAtMs }) {
      // Planned before the start time is read, so generating text never counts as TTFT.
      const plan = planOf(streamIndex);
      const startMs = startAtMs ?? clock.nowMs();
      const observer = lagObserverOf(plan, streamObserver);
      const chunks: PushableChunks = {
        [Symbol.asyncIterator]: () => emitOnSchedule(plan, startMs, clock, signal, observer),
        pushTo: (onChunk) => pushOnSchedule(plan, startMs, clock, signal, observer, onChunk),
      };
      return chunks;
    },
  };
}
