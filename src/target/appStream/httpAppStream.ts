/**
 * Reads an app's streamed answer over HTTP (undici, one connection of its own per read so that
 * the socket's bytes are this stream's), splits the body into the format's wire units, and
 * resumes once where the request says how.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Client, buildConnector, type Dispatcher } from 'undici';
import type { Clock } from '../../clock.js';
import { ClientSocketMeter } from '../../pipeline/delivery/clientSocketMeter.js';
import { Deadline, timeoutError } from './deadline.js';
import { EventLedger } from './eventLedger.js';
import type { FormatSpec } from './formats/formatSpec.js';
import { httpFormatSpec } from './formats/index.js';
import { FIRST_BYTES_SHOWN, FirstBytes, describeCause, escapedFirstBytes, safeUrl, textlessAnswerMessage } from './messages.js';
import { resumeTarget, type HttpTarget } from './resumeTarget.js';
import { AppStreamError, type AppRequest, type AppStreamObserver, type AppStreamSummary } from './types.js';
import { ChunkSplitter, LineSplitter, SseSplitter, type UnitSplitter } from './wireUnits.js';

/** How long the reader waits for the connection to close after the format's end marker. */
const AFTER_END_GRACE_MS = 1_000;

type ConnectionOutcome = 'ended' | 'dropped';

/** Reads one streamed answer over HTTP; see ReadAppStream. */
export async function readHttpAppStream(request: AppRequest, clock: Clock, observer: AppStreamObserver, signal: AbortSignal): Promise<AppStreamSummary> {
  const format = httpFormatSpec(request);
  if (!/^https?:$/.test(URL.canParse(request.url) ? new URL(request.url).protocol : '')) {
    throw new AppStreamError(`url ${safeUrl(request.url)}: format ${request.format} needs an http:// or https:// URL (ws:// and wss:// go with format websocket)`, 'unreachable');
  }
  const ledger = new EventLedger(request, observer);
  const meter = new ClientSocketMeter(clock);
  const firstBytes = new FirstBytes();
  let status = 0;
  let target: HttpTarget = { url: request.url, method: request.method, headers: request.headers, body: request.body };
  try {
    for (;;) {
      const connection = await readConnection(target, { request, format, ledger, meter, firstBytes, clock, observer, signal });
      status ||= connection.status;
      if (connection.outcome === 'ended') break;
      target = resumeTarget(request, ledger);
      ledger.resumes++;
    }
  } finally {
    await meter.closeAll();
  }
  if (ledger.parsedEvents === 0 && (ledger.malformedEvents > 0 || firstBytes.bytes().length > 0)) {
    throw new AppStreamError(
      `the answer from ${safeUrl(request.url)} does not parse as format ${request.format}: expected ${format.expected}; ` +
        `the first bytes received: ${escapedFirstBytes(firstBytes.bytes())}`,
      'format',
    );
  }
  if (ledger.parsedEvents > 0 && ledger.textChars === 0 && ledger.appError === undefined) {
    throw new AppStreamError(textlessAnswerMessage(`the answer from ${safeUrl(request.url)}`, request, ledger.parsedEvents, firstBytes.bytes()), 'format');
  }
  return {
    ending: ledger.ended || !format.endMarker ? 'done' : 'closed-without-end-marker',
    status,
    wireBytes: meter.bytes(),
    malformedEvents: ledger.malformedEvents,
    resumes: ledger.resumes,
    resumeDuplicates: ledger.resumeDuplicates,
    ...(ledger.appError !== undefined && { appError: ledger.appError }),
  };
}

interface ReadContext {
  request: AppRequest;
  format: FormatSpec;
  ledger: EventLedger;
  meter: ClientSocketMeter;
  firstBytes: FirstBytes;
  clock: Clock;
  observer: AppStreamObserver;
  signal: AbortSignal;
}

/** One connection: request, head, body until it ends, or until the ledger asks to drop it for a resume. */
async function readConnection(target: HttpTarget, context: ReadContext): Promise<{ outcome: ConnectionOutcome; status: number }> {
  const { request, ledger, meter, clock, observer, signal } = context;
  const { timeouts } = request;
  const first = ledger.resumes === 0;
  const url = new URL(target.url);
  const internal = new AbortController();
  const deadline = new Deadline(clock, () => internal.abort());
  const onAbort = () => internal.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let connected = false;
  let bodyStarted = false;
  const connectDefault = buildConnector({});
  // undici's own timeouts are off: the deadlines below name the wait that failed.
  const client = new Client(url.origin, {
    headersTimeout: 0,
    bodyTimeout: 0,
    connect(connectOptions, callback) {
      connectDefault(connectOptions, (error, socket) => {
        if (!socket) return callback(error!, null);
        connected = true;
        meter.add(socket as Socket);
        if (first) observer.connected(clock.nowMs());
        deadline.arm('firstByte', timeouts.firstByteMs);
        callback(null, socket);
      });
    },
  });
  const fail = (error: unknown): AppStreamError => {
    if (error instanceof AppStreamError) return error;
    if (signal.aborted) return new AppStreamError(`the read of ${safeUrl(target.url)} was aborted`, 'aborted');
    if (deadline.expired) {
      return timeoutError(deadline.expired, {
        connect: `no connection to ${safeUrl(target.url)}`,
        firstByte: `${safeUrl(target.url)} accepted the connection but sent no response head`,
        idle: `${safeUrl(target.url)} sent nothing more after ${ledger.contentEvents} content events`,
      });
    }
    if (!connected) return new AppStreamError(`cannot reach the app at ${safeUrl(target.url)}: ${describeCause(error)}`, 'unreachable');
    const where = bodyStarted ? `mid-stream after ${ledger.contentEvents} content events` : 'before answering';
    return new AppStreamError(`the app at ${safeUrl(target.url)} closed the connection ${where} (${describeCause(error)})`, 'closed');
  };

  try {
    if (signal.aborted) throw new AppStreamError(`the read of ${safeUrl(target.url)} was aborted`, 'aborted');
    deadline.arm('connect', timeouts.connectMs);
    let response: Dispatcher.ResponseData;
    try {
      response = await client.request({
        path: `${url.pathname}${url.search}`,
        method: target.method,
        headers: target.headers,
        body: target.method === 'POST' ? target.body : undefined,
        signal: internal.signal,
      });
    } catch (error) {
      throw fail(error);
    }
    const headMs = clock.nowMs();
    deadline.arm('idle', timeouts.idleMs);
    const headers = flatHeaders(response.headers);
    if (first) observer.responseHead(headMs, response.statusCode, headers);
    if (response.statusCode < 200 || response.statusCode > 299) throw await statusError(response, target, fail);
    ledger.noteHeaders(headers);
    const outcome = await readBody(decoded(response.body, headers['content-encoding']), context, deadline, fail, () => (bodyStarted = true));
    return { outcome, status: response.statusCode };
  } finally {
    deadline.disarm();
    signal.removeEventListener('abort', onAbort);
    await client.destroy().catch(() => {});
  }
}

/** Reads the body through the format's splitter; resolves when it ends or is dropped for a resume. */
function readBody(body: Readable, context: ReadContext, deadline: Deadline, fail: (error: unknown) => AppStreamError, onFirstChunk: () => void): Promise<ConnectionOutcome> {
  const { format, ledger, clock, firstBytes, request } = context;
  const splitter = splitterFor(format);
  const decoder = new TextDecoder();
  return new Promise<ConnectionOutcome>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: ConnectionOutcome | AppStreamError) => {
      if (settled) return;
      settled = true;
      body.removeAllListeners('data');
      if (outcome instanceof AppStreamError) {
        body.destroy();
        reject(outcome);
      } else {
        if (outcome === 'dropped') body.destroy();
        resolve(outcome);
      }
    };
    const handleUnits = (units: ReturnType<UnitSplitter['feed']>, atMs: number) => {
      for (const unit of units) {
        if (ledger.handle(unit, format, atMs) === 'drop-for-resume') return settle('dropped');
      }
      // After the end marker the app should close; a shorter wait, and no error if it does not.
      if (ledger.ended) deadline.arm('idle', Math.min(AFTER_END_GRACE_MS, request.timeouts.idleMs));
    };
    body.on('data', (chunk: Buffer) => {
      const atMs = clock.nowMs();
      onFirstChunk();
      deadline.arm('idle', request.timeouts.idleMs);
      firstBytes.add(chunk);
      handleUnits(splitter.feed(decoder.decode(chunk, { stream: true }), chunk.length), atMs);
    });
    body.once('end', () => {
      const tail = decoder.decode();
      const atMs = clock.nowMs();
      if (tail) handleUnits(splitter.feed(tail, Buffer.byteLength(tail)), atMs);
      handleUnits(splitter.end(), atMs);
      settle('ended');
    });
    body.once('error', (error) => {
      // The grace after the end marker passed: the stream was whole, the app just kept the connection.
      if (ledger.ended && deadline.expired) return settle('ended');
      settle(fail(error));
    });
  });
}

/** The splitter for a format's framing. */
function splitterFor(format: FormatSpec): UnitSplitter {
  if (format.framing === 'sse') return new SseSplitter();
  if (format.framing === 'lines') return new LineSplitter();
  return new ChunkSplitter();
}

/** The body, decompressed when the app compressed it (the reader never asks for compression; a header the user set might). */
function decoded(body: Readable, encoding: string | undefined): Readable {
  const decompress = encoding === 'gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : null;
  if (!decompress) return body;
  body.on('error', (error) => decompress.destroy(error));
  return body.pipe(decompress);
}

/** A non-2xx answer: its status and the first bytes of its body. */
async function statusError(response: Dispatcher.ResponseData, target: HttpTarget, fail: (error: unknown) => AppStreamError): Promise<AppStreamError> {
  const firstBytes = new FirstBytes();
  try {
    for await (const chunk of response.body) {
      firstBytes.add(chunk as Buffer);
      if (firstBytes.bytes().length > FIRST_BYTES_SHOWN) break;
    }
  } catch (error) {
    const failure = fail(error);
    if (failure.kind === 'aborted') return failure;
  }
  return new AppStreamError(
    `the app answered ${response.statusCode} to ${target.method} ${safeUrl(target.url)}, expected 2xx; ` + `the body begins: ${escapedFirstBytes(firstBytes.bytes())}`,
    'status',
  );
}

/** Response headers as single strings (repeated headers joined). */
function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
