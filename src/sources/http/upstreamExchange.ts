/**
 * One HTTP request and its response over undici's dispatch API: the response head as a promise,
 * the body handed piece by piece to one reader, paused while the reader is busy. What undici's
 * `request()` adds on top of this (a Readable stream for the body, an AbortSignal listener, a
 * handler object and a parsed header object per request) cost about a third of the client's
 * CPU per stream against a fast server, for nothing a stream here uses.
 */
import type { Dispatcher } from 'undici';
import type { UpstreamRequest } from './upstreamRequest.js';

/** The response head. */
export interface ResponseHead {
  statusCode: number;
  headers: Record<string, string | string[]>;
}

/** A request as the dispatch API takes it. */
interface DispatchRequest {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

// Every stream of a source sends the same request object (unless it carries a per-stream
// header): its URL parsed and its body encoded once, not per request (undici would encode a
// string body for every request). undici only reads the body Buffer, so requests can share it.
let lastPrepared: { request: UpstreamRequest; prepared: DispatchRequest } | null = null;
function prepared(request: UpstreamRequest): DispatchRequest {
  if (lastPrepared?.request !== request) {
    const url = new URL(request.url);
    lastPrepared = { request, prepared: { origin: url.origin, path: `${url.pathname}${url.search}`, headers: request.headers, body: Buffer.from(request.body) } };
  }
  return lastPrepared.prepared;
}

/** Raw header pairs (names and values as undici hands them) as an object, lower-case names, repeated names as arrays. */
function headerObject(rawHeaders: (Buffer | string)[] | string[] | null | undefined): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  if (!rawHeaders) return headers;
  for (let position = 0; position + 1 < rawHeaders.length; position += 2) {
    const name = rawHeaders[position]!.toString().toLowerCase();
    const value = rawHeaders[position + 1]!.toString('latin1');
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else headers[name] = [previous, value];
  }
  return headers;
}

/** Reads one body piece; a promise pauses the body until it settles (a rejection fails the read). */
export type BodyReader = (bytes: Buffer) => void | Promise<void>;

/** One request: `send` it, read its head with `head`, then its body once with `readBody`; `abort` at any time. */
export class UpstreamExchange implements Dispatcher.DispatchHandler {
  /** The response head; rejects when the request fails before it. */
  readonly head: Promise<ResponseHead>;
  /** The whole body arrived. */
  complete = false;
  private resolveHead!: (head: ResponseHead) => void;
  private rejectHead!: (error: Error) => void;
  private headArrived = false;
  private abortRequest: ((error?: Error) => void) | null = null;
  private abortReason: Error | null = null;
  private aborted = false;
  private resumeSocket: (() => void) | null = null;
  // Body pieces that came before the reader (or while it was busy), and how the body ended.
  private waitingPieces: Buffer[] = [];
  private bodyFailure: Error | null = null;
  private reader: BodyReader | null = null;
  private readerBusy = false;
  private settleRead: ((error?: Error) => void) | null = null;

  constructor() {
    this.head = new Promise<ResponseHead>((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    // Awaited by the reader; a stream never read must not leave an unhandled rejection.
    this.head.catch(() => {});
  }

  /** Sends the request through `dispatcher` now (not at all when it was aborted before: it fails with the reason). */
  send(dispatcher: Dispatcher, request: UpstreamRequest): void {
    if (this.abortReason) return this.onError(this.abortReason);
    const { origin, path, headers, body } = prepared(request);
    // Our own timers govern (their errors name the setting); undici's would fire first.
    dispatcher.dispatch({ origin, path, method: 'POST', headers, body, headersTimeout: 0, bodyTimeout: 0 }, this);
  }

  /** Aborts the request (a no-op once it completed or failed); undici then fails it with `reason`. */
  abort(reason?: unknown): void {
    if (this.aborted || this.complete || this.bodyFailure) return;
    this.aborted = true;
    const error = reason instanceof Error ? reason : Object.assign(new Error('This operation was aborted'), { name: 'AbortError', cause: reason });
    if (this.abortRequest) this.abortRequest(error);
    else this.abortReason = error;
  }

  /** Hands each body piece to `reader`, in order, pausing while what it returns is pending; resolves at the body's end. */
  readBody(reader: BodyReader): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.reader = reader;
      this.settleRead = (error) => {
        this.settleRead = null;
        this.reader = null;
        if (error) reject(error);
        else resolve();
      };
      this.drain();
    });
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abortRequest = abort;
    if (this.abortReason) abort(this.abortReason);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null, resume: () => void): boolean {
    this.headArrived = true;
    this.resumeSocket = resume;
    this.resolveHead({ statusCode, headers: headerObject(rawHeaders) });
    return true;
  }

  onData(bytes: Buffer): boolean {
    if (this.reader === null || this.readerBusy || this.waitingPieces.length > 0) {
      this.waitingPieces.push(bytes);
      return false; // paused until the reader takes it
    }
    return this.give(bytes);
  }

  onComplete(): void {
    this.complete = true;
    this.drain();
  }

  onError(error: Error): void {
    if (!this.headArrived) {
      this.headArrived = true;
      this.rejectHead(error);
    }
    this.bodyFailure = error;
    this.drain();
  }

  /** Hands `bytes` to the reader; false when it has to wait (the socket stays paused until it is done). */
  private give(bytes: Buffer): boolean {
    let wait: void | Promise<void>;
    try {
      wait = this.reader!(bytes);
    } catch (error) {
      this.failRead(error);
      return false;
    }
    if (!wait) return true;
    this.readerBusy = true;
    wait.then(
      () => {
        this.readerBusy = false;
        this.drain();
      },
      (error: unknown) => {
        this.readerBusy = false;
        this.failRead(error);
      },
    );
    return false;
  }

  /** The reader threw or rejected: the read fails with its error, and the rest of the body is not wanted. */
  private failRead(error: unknown): void {
    this.settleRead?.(error instanceof Error ? error : new Error(String(error)));
    this.abort();
  }

  /** Hands waiting pieces to the reader until it is busy; then the end, the failure, or the socket resumed. */
  private drain(): void {
    if (this.reader === null || this.readerBusy) return;
    while (this.waitingPieces.length > 0) {
      const bytes = this.waitingPieces.shift()!;
      if (!this.give(bytes)) return;
    }
    if (this.bodyFailure) return this.settleRead?.(this.bodyFailure);
    if (this.complete) return this.settleRead?.();
    const resume = this.resumeSocket;
    resume?.();
  }
}
