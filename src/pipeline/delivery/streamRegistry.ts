/**
 * The relay's open streams by id, and the `/streams/<streamId>` path both network transports
 * serve them on: the part of the SSE and WebSocket servers that does not depend on the wire.
 */
import { ResumableStream } from './resumableStream.js';

/** Path of a stream's endpoint. */
export function streamPathFor(streamId: string): string {
  return `/streams/${encodeURIComponent(streamId)}`;
}

/** The streams a relay server has open; a connection finds its stream by the request path. */
export class StreamRegistry {
  private readonly streams = new Map<string, ResumableStream>();

  /** Creates the relay's memory of a stream; clients can connect from now on. */
  open(streamId: string): ResumableStream {
    if (this.streams.has(streamId)) throw new Error(`stream "${streamId}" is already open on this delivery`);
    const stream = new ResumableStream();
    this.streams.set(streamId, stream);
    return stream;
  }

  /** Forgets a stream once its client is done. */
  release(streamId: string): void {
    this.streams.delete(streamId);
  }

  /** The open stream a request path (`/streams/<streamId>`, no query) names, or undefined. */
  fromPath(pathname: string): ResumableStream | undefined {
    const match = /^\/streams\/([^/]+)$/.exec(pathname);
    return match ? this.streams.get(decodeURIComponent(match[1]!)) : undefined;
  }
}
