/**
 * Details kept beside a config's pooled metrics: the token-latency percentile list the
 * report's CDF draws, and one stream's timeline. Pure: data in, plain data out.
 */
import type { StreamTrace } from '../probes/streamTrace.js';
import type { StreamTimeline } from '../result/resultSchema.js';
import type { Distribution } from './distribution.js';

/** Rounds to whole microseconds: the clock's useful precision, and it keeps the JSON short. */
const roundUs = (ms: number): number => Math.round(ms * 1000) / 1000;

/** p0, p1, …, p100 of a distribution (101 values), or undefined when it is empty. */
export function percentileList(distribution: Distribution): number[] | undefined {
  if (distribution.count === 0) return undefined;
  return Array.from({ length: 101 }, (_, p) => roundUs(distribution.percentile(p)));
}

/** When the source emitted, the client received and rendered, relative to the request start. */
export function streamTimeline(trace: StreamTrace, stream: number): StreamTimeline {
  const start = trace.requestStartMs;
  const seen = new Set<number>();
  const receivesMs: number[] = [];
  for (let index = 0; index < trace.receivedCount; index++) {
    const seq = trace.receivedSeqAt(index);
    if (!trace.receivedHasContentAt(index) || seen.has(seq)) continue;
    seen.add(seq);
    receivesMs.push(roundUs(trace.receivedAtMsAt(index) - start));
  }
  return {
    stream,
    emitsMs: Array.from({ length: trace.chunkCount }, (_, index) => roundUs(trace.emitMsAt(index) - start)),
    emitTokens: Array.from({ length: trace.chunkCount }, (_, index) => trace.tokensAt(index)),
    receivesMs,
    rendersMs: Array.from({ length: trace.renderCount }, (_, index) => roundUs(trace.renderAtMsAt(index) - start)),
  };
}
