/**
 * The contract between target mode's runner (src/target/) and the readers of the app's
 * streamed answer (src/target/appStream/). The runner sends the app a request and hands
 * every piece of content text the app delivered, with the moment it arrived on the tool's
 * one clock (`Clock.nowMs()`), to its observer.
 */
import type { Clock } from '../../clock.js';

/** The wire formats an app can speak to its browser (DESIGN.md §6). */
export type AppFormat =
  | 'openai-sse' // OpenAI chat-completions chunks passed through: data: {"choices":[{"delta":{"content":…}}]} … data: [DONE]
  | 'anthropic-sse' // event: content_block_delta / data: {"delta":{"type":"text_delta","text":…}}
  | 'ai-sdk-ui' // Vercel AI SDK UI message stream: SSE of JSON parts, text-delta parts carry the text
  | 'ai-sdk-data' // the AI SDK's older data stream protocol: lines like 0:"text"
  | 'sse' // generic SSE: the text at `textPath` in each event's JSON data (or the whole data when no path)
  | 'ndjson' // one JSON object per line, the text at `textPath`
  | 'text' // plain chunked text: every body chunk is content
  | 'websocket'; // WebSocket messages; JSON with the text at `textPath` (or the whole message when no path)

/** How the client resumes a dropped stream, where the app offers it. */
export type AppResume =
  | { mode: 'none' }
  /**
   * Disconnect after `afterEvents` content events and reconnect with `Last-Event-ID` set to the last `id:` seen:
   * the same request again, or a GET of `urlTemplate` (`{streamId}` filled in from `streamIdFrom`) when given.
   */
  | { mode: 'last-event-id'; afterEvents: number; urlTemplate?: string; streamIdFrom?: { header: string } | { jsonPath: string } }
  /** Disconnect after `afterEvents` content events and reconnect to `urlTemplate` with `{streamId}` and `{offset}` (characters received) filled in. */
  | { mode: 'url'; afterEvents: number; urlTemplate: string; streamIdFrom: { header: string } | { jsonPath: string } };

/** One request to the app, fully resolved (templates already filled in). */
export interface AppRequest {
  url: string; // http(s):// or ws(s):// for 'websocket'
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string; // for POST; for 'websocket', the first message sent after the socket opens
  format: AppFormat;
  /** Dot path to the text field for 'sse', 'ndjson' and 'websocket' (e.g. "choices.0.delta.content"). */
  textPath?: string;
  /** Dot path to a field whose presence marks the end of the stream ('sse', 'websocket', 'ndjson'); without one, the connection closing cleanly ends it. */
  donePath?: string;
  resume: AppResume;
  timeouts: { connectMs: number; firstByteMs: number; idleMs: number };
}

/** What the reader tells the runner, as it happens. */
export interface AppStreamObserver {
  /** The connection is open (TCP + TLS, or the WebSocket handshake) at `atMs`; once per read (not again on a resume). */
  connected(atMs: number): void;
  /** The response head arrived (status line and headers) at `atMs`; once per read (not again on a resume). */
  responseHead(atMs: number, status: number, headers: Record<string, string>): void;
  /** One wire event (SSE event, NDJSON line, body chunk, WebSocket message) arrived at `atMs`: `text` is the content it carries ('' for non-content events such as start/finish parts), `wireBytes` its bytes on the wire including framing. */
  event(atMs: number, text: string, wireBytes: number): void;
}

/** How a read ended. */
export interface AppStreamSummary {
  /** 'done' = the format's own end marker ([DONE], message_stop, finish part, close of a text body). */
  ending: 'done' | 'closed-without-end-marker';
  status: number;
  /** Bytes received from the app, head included, counted on the socket where possible. */
  wireBytes: number;
  /** Events that could not be parsed in the expected format (counted, not fatal, unless nothing parsed). */
  malformedEvents: number;
  /** How many times the reader reconnected to resume. */
  resumes: number;
  /** Events after a resume whose SSE id had been seen before (replayed by the app): passed on with no text, counted here. */
  resumeDuplicates?: number;
  /** The first error the app reported inside its stream (an AI SDK `error` part, a `3:` data part, an Anthropic `error` event, an OpenAI `{"error":…}` chunk), cut to 200 characters. */
  appError?: string;
}

/** A failure with a message a user can act on (no secrets: header values are never echoed). */
export class AppStreamError extends Error {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'status' | 'format' | 'timeout' | 'aborted' | 'closed',
  ) {
    super(message);
    this.name = 'AppStreamError';
  }
}

/** Reads one streamed answer from the app. Implemented in src/target/appStream/readAppStream.ts. */
export type ReadAppStream = (request: AppRequest, clock: Clock, observer: AppStreamObserver, signal: AbortSignal) => Promise<AppStreamSummary>;
