/**
 * Records streams from a source into trace form: each chunk's text and its arrival offset
 * from request start, measured exactly as the runner measures them (request start read
 * right after `open()`, a chunk's time when it is yielded), plus the stream's first byte,
 * first event and usage.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
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
  // undici announces when a connection is ready and when a request is written: with the
  // response head and the first event, TTFT splits into its phases. Requests run one at a time
  // here, so whatever undici announces now belongs to this stream's request.
  let connectedAtMs: number | null = null;
  let requestSentAtMs: number | null = null;
  const onConnected = () => (connectedAtMs ??= clock.nowMs());
  const onBodySent = () => (requestSentAtMs ??= clock.nowMs());
  subscribe('undici:client:connected', onConnected);
  subscribe('undici:request:bodySent', onBodySent);
  try {
    return await recordChunks(source, streamIndex, clock, observer, () => ({ connectedAtMs, requestSentAtMs, firstByteAtMs, firstEventAtMs, usage, fromMockServer }));
  } finally {
    unsubscribe('undici:client:connected', onConnected);
    unsubscribe('undici:request:bodySent', onBodySent);
  }
}

/** What the observers saw, read once the stream ended. */
interface Observed {
  connectedAtMs: number | null;
  requestSentAtMs: number | null;
  firstByteAtMs: number | null;
  firstEventAtMs: number | null;
  usage: UpstreamUsage | null;
  fromMockServer: boolean;
}

/** Reads the stream to its end and builds its trace form. */
async function recordChunks(source: TokenSource, streamIndex: number, clock: Clock, observer: SourceObserver, observed: () => Observed): Promise<RecordedStream> {
  const chunks = source.open({ clock, streamIndex, observer });
  const startMs = clock.nowMs();
  const stream: TraceStream = { chunks: [], usage: null, firstByteMs: null, firstEventMs: null };
  for await (const chunk of chunks) {
    const offsetMs = clock.nowMs() - startMs;
    // The closing chunk only completes the token count: a replay recounts tokens itself.
    if (chunk.text.length === 0 && chunk.reasoning === undefined) continue;
    stream.chunks.push(chunk.reasoning !== undefined ? { offsetMs, text: chunk.text, reasoning: chunk.reasoning } : { offsetMs, text: chunk.text });
  }
  const seen = observed();
  const since = (atMs: number | null) => (atMs !== null ? Math.max(0, atMs - startMs) : null);
  stream.usage = seen.usage;
  stream.firstByteMs = since(seen.firstByteAtMs);
  stream.firstEventMs = since(seen.firstEventAtMs);
  if (source.kind === 'http') {
    stream.phasesMs = { connected: since(seen.connectedAtMs), requestSent: since(seen.requestSentAtMs), responseHead: stream.firstByteMs, firstEvent: stream.firstEventMs };
  }
  return { stream, fromMockServer: seen.fromMockServer };
}
