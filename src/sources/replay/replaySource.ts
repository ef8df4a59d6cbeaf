/**
 * The replay source: plays a recorded trace as a token source, each chunk at its recorded
 * offset (divided by `speed`) from request start, with emitOnSchedule doing the waiting.
 * Stream i of a run plays the trace's stream i (modulo the number of recorded streams), so
 * every config gets the same streams. Recorded first-byte and first-event times and usage
 * are reported to the observer as the http source would have.
 */
import { attributeTokens, loadTokenizer } from '../bpeTokens.js';
import { emitOnSchedule, type SyntheticStreamPlan } from '../synthetic.js';
import type { SourceChunk, TokenSource } from '../types.js';
import { loadTraceFile } from '../../traces/parseTrace.js';
import type { Trace, TraceStream } from '../../traces/traceFormat.js';
import type { ResolvedReplaySettings } from './replaySchema.js';

/** The schedule of one recorded stream at `speed`, with token counts per chunk. */
export function planReplayStream(stream: TraceStream, speed: number, tokenCounts: readonly number[]): SyntheticStreamPlan {
  return {
    chunks: stream.chunks.map((chunk, index): SourceChunk => {
      const source: SourceChunk = { index, text: chunk.text, tokens: tokenCounts[index] ?? 0 };
      if (chunk.reasoning !== undefined) source.reasoning = chunk.reasoning;
      return source;
    }),
    offsetsMs: stream.chunks.map((chunk) => chunk.offsetMs / speed),
  };
}

/** Builds a replay source from a trace already read (tests, record-then-replay). */
export async function createReplaySourceFromTrace(trace: Trace, settings: ResolvedReplaySettings): Promise<TokenSource> {
  const tokenizer = await loadTokenizer(settings.tokenizer);
  // Planned once: token counting is not part of any stream's time.
  const plans = trace.streams.map((stream) =>
    planReplayStream(
      stream,
      settings.speed,
      attributeTokens(
        stream.chunks.map((chunk) => chunk.text),
        tokenizer,
      ),
    ),
  );
  const reasoningTokens = trace.streams.map((stream) => tokenizer.count(stream.chunks.map((chunk) => chunk.reasoning ?? '').join('')));
  return {
    kind: 'replay',
    describe: () => ({
      ...settings,
      streams: trace.streams.length,
      recorded: { recordedAt: trace.header.recordedAt, model: trace.header.model, api: trace.header.api, baseUrl: trace.header.baseUrl, synthetic: trace.header.synthetic },
      tokenCounting: `gpt-tokenizer ${settings.tokenizer}, each token counted at the chunk holding its last character`,
    }),
    open({ clock, streamIndex, signal, observer, startAtMs }) {
      const recorded = streamIndex % trace.streams.length;
      const stream = trace.streams[recorded];
      const plan = plans[recorded];
      if (!stream || !plan) throw new Error(`replay: the trace has no streams`);
      const startMs = startAtMs ?? clock.nowMs();
      if (observer) {
        // Recorded upstream facts, on this replay's timeline.
        if (stream.firstByteMs !== null) observer.firstByte(startMs + stream.firstByteMs / settings.speed);
        if (stream.firstEventMs !== null) observer.firstEvent(startMs + stream.firstEventMs / settings.speed);
        if (stream.usage) observer.usage(stream.usage);
        observer.tokenCount({ method: `tokenizer:${settings.tokenizer}`, reasoningTokens: reasoningTokens[recorded] ?? 0 });
      }
      return emitOnSchedule(plan, startMs, clock, signal, observer);
    },
  };
}

/** Builds a replay source: reads the trace (relative paths from the current directory). */
export async function createReplaySource(settings: ResolvedReplaySettings): Promise<TokenSource> {
  return createReplaySourceFromTrace(await loadTraceFile(settings.trace), settings);
}
