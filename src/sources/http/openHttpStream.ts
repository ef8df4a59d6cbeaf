/**
 * Sends one streaming request with undici and yields its chunks as they arrive. The request
 * goes out when the stream is opened (the runner stamps request start right after), not
 * when it is first read, so pipeline set-up never counts as upstream time. Timeouts run on
 * the run's clock and name the setting that governs them; every error message is redacted.
 */
import type { Dispatcher } from 'undici';
import type { Clock, TimerHandle } from '../../clock.js';
import type { Tokenizer } from '../bpeTokens.js';
import { pushableChunks } from '../pushedChunks.js';
import type { PushableChunks, SourceChunk, SourceObserver } from '../types.js';
import { HttpStatusError, UpstreamStreamError, UpstreamTimeoutError } from './httpErrors.js';
import type { HttpApi } from './httpSchema.js';
import { publicUrl, redactSecrets } from './redact.js';
import type { AbortFanout } from './abortFanout.js';
import { BodyTextDecoder } from './bodyText.js';
import { StreamDecoder } from './streamDecoder.js';
import { errorMessageOf } from './upstreamEvents.js';
import type { UpstreamRequest } from './upstreamRequest.js';
import { type ResponseHead, UpstreamExchange } from './upstreamExchange.js';

/** Everything one stream needs. */
export interface HttpStreamOptions {
  request: UpstreamRequest;
  api: HttpApi;
  dispatcher: Dispatcher;
  clock: Clock;
  tokenizer: Tokenizer;
  includeUsage: boolean;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  /** Values to redact from every error message (the API key, secret header values). */
  secrets: string[];
  /** Aborting any of them stops the stream quietly (the run's interruption, the source's close). */
  signals: readonly AbortSignal[];
  /** Registers the stream's reaction to `signals` (one listener per signal for all streams). */
  abortFanout: AbortFanout;
  observer?: SourceObserver;
}

// How much of an error response body to read for its message.
const ERROR_BODY_LIMIT = 64 * 1024;
// After the end marker, how long a server may take to close the response.
const CLOSE_GRACE_MS = 1_000;

/** Reads up to `limit` bytes of a response body as text and stops reading (the request is aborted) there. */
async function readLimited(exchange: UpstreamExchange, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let bytes = 0;
  const enough = new Error('enough of the body read');
  try {
    await exchange.readBody((part) => {
      parts.push(part);
      bytes += part.length;
      if (bytes >= limit) throw enough;
    });
  } catch (error) {
    if (error !== enough) throw error;
  }
  return Buffer.concat(parts).toString('utf8').slice(0, limit);
}

/** The server's own words from an error body: its JSON error message, else the start of the text. */
function serverMessage(body: string): string {
  try {
    const message = errorMessageOf(JSON.parse(body));
    if (message) return message;
  } catch {
    // not JSON: show the text
  }
  const text = body.trim().replace(/\s+/g, ' ');
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** A transport error in words, naming connect timeouts as such. */
function describeRequestError(error: unknown, options: HttpStreamOptions): Error {
  const code = (error as { code?: string }).code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new UpstreamTimeoutError('connect', options.connectTimeoutMs, options.request.url, 'no connection to');
  }
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  const reason = [(error as Error).message, cause].filter(Boolean).join(': ');
  return new UpstreamStreamError(`request to ${publicUrl(options.request.url)} failed: ${reason}`);
}

/** Redacts an error's message and stack in place (a new Error for non-errors). */
function redacted(error: unknown, secrets: string[]): Error {
  if (!(error instanceof Error)) return new Error(redactSecrets(String(error), secrets));
  error.message = redactSecrets(error.message, secrets);
  if (error.stack) error.stack = redactSecrets(error.stack, secrets);
  return error;
}

/**
 * Pushes `chunks` in order, waiting for what `onChunk` returns; undefined when nothing had to be
 * waited for. The chunks left after a wait are copied at once: the decoder reuses its array.
 */
function pushAll(chunks: readonly SourceChunk[], onChunk: (chunk: SourceChunk) => void | Promise<void>): Promise<void> | undefined {
  for (let position = 0; position < chunks.length; position++) {
    const wait = onChunk(chunks[position]!);
    if (wait) {
      const rest = chunks.slice(position + 1);
      return wait.then(() => pushAll(rest, onChunk));
    }
  }
  return undefined;
}

/** Starts the request now and returns its chunks, to push or to iterate (read it once). */
export function openHttpStream(options: HttpStreamOptions): PushableChunks {
  const { clock, observer } = options;
  const exchange = new UpstreamExchange();
  // The named reason when we abort the request ourselves (a timeout).
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    exchange.abort(error);
  };
  // Through the source's fan-out: neither an AbortSignal.any nor an event listener per stream.
  const onOuterAbort = (reason: unknown) => exchange.abort(reason);
  const unregister = options.signals.map((signal) => options.abortFanout.register(signal, onOuterAbort));
  const interrupted = () => options.signals.some((signal) => signal.aborted);

  const firstByteTimer = clock.setTimer(
    () => fail(new UpstreamTimeoutError('first-byte', options.firstByteTimeoutMs, options.request.url, 'no response head from')),
    options.firstByteTimeoutMs,
  );
  const responsePromise = exchange.head.then(
    (head) => {
      clock.clearTimer(firstByteTimer);
      observer?.firstByte(clock.nowMs(), head.headers);
      return head;
    },
    (error: unknown) => {
      clock.clearTimer(firstByteTimer);
      throw error;
    },
  );
  // Awaited by the reader; a stream never read must not leave an unhandled rejection.
  responsePromise.catch(() => {});
  exchange.send(options.dispatcher, options.request);

  // Pushes each chunk to `onChunk` as it is decoded, waiting for what it returns before the
  // next: no async-generator step and promise per chunk.
  async function pushChunks(onChunk: (chunk: SourceChunk) => void | Promise<void>): Promise<void> {
    const decoder = new StreamDecoder(options.api, options.tokenizer, options.includeUsage, observer);
    // One idle timer per stream, moved lazily: data only notes when the server went quiet (a
    // timer set and cleared per body piece cost more than parsing the piece), and a timer that
    // fires before the limit waits out the rest. It fires when the old per-piece timer would have.
    let idleTimer: TimerHandle | null = null;
    let idleTimerIsGrace = false;
    let quietSinceMs = 0;
    // While a body piece is pushed on (a slow pipeline), the server is not the one being waited for.
    let pushing = false;
    // After the end marker (or the finish reason) a silent server is done, not stalled: stop waiting for its close.
    const answered = () => decoder.done || decoder.finished;
    const quietLimitMs = () => (answered() ? CLOSE_GRACE_MS : options.idleTimeoutMs);
    const onIdleTimer = () => {
      idleTimer = null;
      const limitMs = quietLimitMs();
      const quietMs = clock.nowMs() - quietSinceMs;
      if (pushing || quietMs < limitMs) {
        idleTimer = clock.setTimer(onIdleTimer, pushing ? limitMs : limitMs - quietMs);
        return;
      }
      if (answered()) exchange.abort();
      else fail(new UpstreamTimeoutError('idle', options.idleTimeoutMs, options.request.url, `no data after ${decoder.chunks} chunks from`));
    };
    const stopIdle = () => {
      if (idleTimer !== null) clock.clearTimer(idleTimer);
      idleTimer = null;
    };
    const startPushing = () => {
      pushing = true;
    };
    const armIdle = () => {
      pushing = false;
      quietSinceMs = clock.nowMs();
      const grace = answered();
      if (idleTimer !== null && idleTimerIsGrace === grace) return;
      stopIdle();
      idleTimerIsGrace = grace;
      idleTimer = clock.setTimer(onIdleTimer, quietLimitMs());
    };
    let reading = false;
    try {
      let response: ResponseHead;
      try {
        response = await responsePromise;
      } catch (error) {
        if (!failure && interrupted()) return;
        throw failure ?? describeRequestError(error, options);
      }
      reading = true;
      if (response.statusCode < 200 || response.statusCode > 299) {
        const text = await readLimited(exchange, ERROR_BODY_LIMIT).catch(() => '');
        throw new HttpStatusError(response.statusCode, options.request.url, serverMessage(text));
      }
      const contentType = String(response.headers['content-type'] ?? '');
      if (contentType.startsWith('application/json')) {
        const text = await readLimited(exchange, ERROR_BODY_LIMIT).catch(() => '');
        throw new UpstreamStreamError(
          `expected an event stream from ${publicUrl(options.request.url)} but got JSON (does the endpoint support stream: true?): ${serverMessage(text)}`,
        );
      }

      const bodyText = new BodyTextDecoder();
      armIdle();
      try {
        await exchange.readBody((bytes) => {
          const atMs = clock.nowMs();
          startPushing();
          const chunks = decoder.feed(bodyText.decode(bytes), atMs);
          const pushed = pushAll(chunks, onChunk);
          if (!pushed) return armIdle();
          return pushed.then(armIdle);
        });
      } catch (error) {
        if (failure) throw failure;
        if (error instanceof UpstreamStreamError) throw error;
        if (interrupted()) return; // the run was interrupted: end quietly
        // Once the answer is complete, a close (ours after the grace, or the server's) is a normal end.
        if (!decoder.done && !decoder.finished) {
          throw new UpstreamStreamError(`the connection closed mid-stream after ${decoder.chunks} chunks (${(error as Error).message})`);
        }
      }
      if (interrupted()) return;
      if (!decoder.done && !decoder.finished) {
        throw new UpstreamStreamError(`the stream ended after ${decoder.chunks} chunks without the server finishing it (no finish reason, no end marker)`);
      }
      const closing = decoder.finish();
      if (closing) await onChunk(closing);
    } catch (error) {
      throw redacted(error, options.secrets);
    } finally {
      stopIdle();
      clock.clearTimer(firstByteTimer);
      for (const undo of unregister) undo();
      // A reader that stops early (or a failure) must not leave the response open.
      if (reading && !exchange.complete) exchange.abort();
    }
  }
  return pushableChunks(pushChunks, () => exchange.abort());
}
