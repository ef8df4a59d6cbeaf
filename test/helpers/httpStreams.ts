/** Helpers for the http source, mock server and replay tests. */
import type { Clock } from '../../src/clock.js';
import { ManualClock, systemClock } from '../../src/clock.js';
import { UpstreamRecord } from '../../src/probes/upstreamRecord.js';
import type { SourceChunk, TokenSource } from '../../src/sources/types.js';

/** Every chunk of stream `streamIndex`, what the observer heard, and when each chunk came (ms after open). */
export async function readStream(
  source: TokenSource,
  streamIndex = 0,
  clock: Clock = systemClock,
): Promise<{ chunks: SourceChunk[]; offsetsMs: number[]; upstream: UpstreamRecord; startMs: number }> {
  const upstream = new UpstreamRecord();
  // Read before open(): the source reads its own start inside open(), so an offset from here is never
  // shorter than the source's own (a pause between the two reads cannot make a chunk look early).
  const startMs = clock.nowMs();
  const iterable = source.open({ clock, streamIndex, observer: upstream });
  const chunks: SourceChunk[] = [];
  const offsetsMs: number[] = [];
  for await (const chunk of iterable) {
    offsetsMs.push(clock.nowMs() - startMs);
    chunks.push(chunk);
  }
  return { chunks, offsetsMs, upstream, startMs };
}

/** The error a stream fails with (fails the test when it does not fail). */
export async function streamError(source: TokenSource, streamIndex = 0): Promise<Error> {
  try {
    await readStream(source, streamIndex);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the stream to fail, but it completed');
}

/** Content text of chunks, joined. */
export const contentOf = (chunks: SourceChunk[]) => chunks.map((chunk) => chunk.text).join('');
/** Reasoning text of chunks, joined. */
export const reasoningOf = (chunks: SourceChunk[]) => chunks.map((chunk) => chunk.reasoning ?? '').join('');

/** Lets pending promise callbacks and one macrotask turn run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Reads a whole stream on a ManualClock, jumping to each timer as soon as the stream waits. */
export async function readStreamOnManualClock(source: TokenSource, streamIndex = 0): Promise<{ chunks: SourceChunk[]; offsetsMs: number[] }> {
  const clock = new ManualClock();
  const iterator = source.open({ clock, streamIndex })[Symbol.asyncIterator]();
  const startMs = clock.nowMs();
  const chunks: SourceChunk[] = [];
  const offsetsMs: number[] = [];
  for (;;) {
    let settled: IteratorResult<SourceChunk> | null = null;
    const next = iterator.next().then((result) => (settled = result));
    await settle();
    while (settled === null) {
      if (!clock.runNextTimer()) await settle();
      await settle();
    }
    await next;
    const result = settled as IteratorResult<SourceChunk>;
    if (result.done) break;
    chunks.push(result.value);
    offsetsMs.push(clock.nowMs() - startMs);
  }
  return { chunks, offsetsMs };
}
