/**
 * Records streams from a source into trace form: each chunk's text and its arrival offset
 * from request start, measured exactly as the runner measures them (request start read
 * right after `open()`, a chunk's time when it is yielded), plus the stream's first byte,
 * first event and usage.
 */
import type { Clock } from '../clock.js';
import { MOCK_MARKER_HEADER } from '../mock/mockServer.js';
import type { SourceObserver, TokenSource, UpstreamUsage } from '../sources/types.js';
import type { TraceStream } from './traceFormat.js';

/** One recorded stream, and whether the server said it is the streambench mock. */
export interface RecordedStream {
  stream: TraceStream;
  fromMockServer: boolean;
}

/** Records stream `streamIndex` of `source` to its end; rejects with the source's (redacted) error. */
export async function recordStream(source: TokenSource, streamIndex: number, clock: Clock): Promise<RecordedStream> {
  let firstByteAtMs: number | null = null;
  let firstEventAtMs: number | null = null;
  let usage: UpstreamUsage | null = null;
  let fromMockServer = false;
  const observer: SourceObserver = {
    firstByte(atMs, headers) {
      firstByteAtMs ??= atMs;
      fromMockServer ||= headers?.[MOCK_MARKER_HEADER] === '1';
    },
    firstEvent(atMs) {
      firstEventAtMs ??= atMs;
    },
    malformedLine() {},
    usage(reported) {
      usage = reported;
    },
    tokenCount() {},
  };
  const chunks = source.open({ clock, streamIndex, observer });
  const startMs = clock.nowMs();
  const stream: TraceStream = { chunks: [], usage: null, firstByteMs: null, firstEventMs: null };
  for await (const chunk of chunks) {
    const offsetMs = clock.nowMs() - startMs;
    // The closing chunk only completes the token count: a replay recounts tokens itself.
    if (chunk.text.length === 0 && chunk.reasoning === undefined) continue;
    stream.chunks.push(chunk.reasoning !== undefined ? { offsetMs, text: chunk.text, reasoning: chunk.reasoning } : { offsetMs, text: chunk.text });
  }
  stream.usage = usage;
  stream.firstByteMs = firstByteAtMs !== null ? Math.max(0, firstByteAtMs - startMs) : null;
  stream.firstEventMs = firstEventAtMs !== null ? Math.max(0, firstEventAtMs - startMs) : null;
  return { stream, fromMockServer };
}
