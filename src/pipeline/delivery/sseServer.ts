import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline, type Writable } from 'node:stream';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import type { Clock, TimerHandle } from '../../clock.js';
import { closeServer, listenOnLoopback } from '../../net/loopbackServer.js';
import { listenSpread } from '../../net/listenerSpread.js';
import type { RelayServer } from './relayDelivery.js';
import type { ResumableStream } from './resumableStream.js';
import { StreamRegistry } from './streamRegistry.js';
import { SSE_HEARTBEAT_FRAME, SSE_RESPONSE_HEADERS, formatSseEvent, type SseFrameOptions } from './sseFrames.js';

/** What the relay's HTTP server needs from the SSE settings. */
export interface SseServerOptions extends SseFrameOptions {
  heartbeatMs: number | null;
  compression: false | 'gzip';
}

/**
 * Starts the relay's SSE server on 127.0.0.1, on an ephemeral port: `GET` (or `POST`)
 * `/streams/<streamId>`, one connection per client. `listeners` > 1 opens that many listening
 * sockets in all (src/net/listenerSpread.ts: Node 20 accepts one connection per socket per
 * loop turn) and `originFor` spreads the clients over them.
 */
export async function startSseRelayServer(options: SseServerOptions, clock: Clock, listeners = 1): Promise<RelayServer & { originFor(): string }> {
  const streams = new StreamRegistry();
  const heartbeatTimers = new Set<TimerHandle>();

  const handleRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const stream = streams.fromPath(new URL(request.url ?? '/', 'http://relay').pathname);
    // A browser page served from another loopback origin (the browser client) reads the stream
    // cross-origin: answer its CORS preflight, and allow its origin. Node clients send no Origin.
    const cors = corsHeaders(request);
    if (request.method === 'OPTIONS' && stream) {
      response.writeHead(204, { ...cors, 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': '*', 'access-control-max-age': '600' }).end();
      return;
    }
    // GET is EventSource's; POST is how fetch-based chat clients (the AI SDK's useChat) ask for a stream.
    if ((request.method !== 'GET' && request.method !== 'POST') || !stream) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('no such stream\n');
      return;
    }
    if (request.method === 'POST') request.resume(); // the request body (the chat's messages) is not needed
    const fromPosition = resumePosition(request, stream);
    const gzip = options.compression === 'gzip';
    const headers = { ...SSE_RESPONSE_HEADERS, ...cors };
    response.writeHead(200, gzip ? { ...headers, 'content-encoding': 'gzip' } : headers);
    // The client learns it is connected before the first event, as from a production relay.
    response.flushHeaders();
    const body: Writable = gzip ? gzipInto(response) : response;

    let heartbeat: TimerHandle | null = null;
    const stopHeartbeat = (): void => {
      if (heartbeat === null) return;
      clock.clearTimer(heartbeat);
      heartbeatTimers.delete(heartbeat);
      heartbeat = null;
    };
    const armHeartbeat = (): void => {
      if (options.heartbeatMs === null) return;
      heartbeat = clock.setTimer(() => {
        heartbeatTimers.delete(heartbeat!);
        body.write(SSE_HEARTBEAT_FRAME);
        armHeartbeat();
      }, options.heartbeatMs);
      heartbeatTimers.add(heartbeat);
    };

    armHeartbeat();
    const detach = stream.attach(
      {
        event: (data, seq) => body.write(formatSseEvent(data, seq, options)),
        end: () => {
          stopHeartbeat();
          body.end();
        },
      },
      fromPosition,
    );
    response.once('close', () => {
      detach();
      stopHeartbeat();
    });
  };

  const server = createServer(handleRequest);
  const port = await listenOnLoopback(server);
  const origin = `http://127.0.0.1:${port}`;
  let spread;
  try {
    spread = await listenSpread(server, listeners - 1);
  } catch (error) {
    await closeServer(server);
    throw error;
  }
  const origins = [origin, ...spread.origins];
  let nextOrigin = 0;
  return {
    origin,
    originFor: () => origins[nextOrigin++ % origins.length]!,
    openStream: (streamId) => streams.open(streamId),
    releaseStream: (streamId) => streams.release(streamId),
    async close() {
      for (const timer of heartbeatTimers) clock.clearTimer(timer);
      heartbeatTimers.clear();
      await Promise.all([spread.close(), closeServer(server)]);
    },
  };
}

/** CORS headers for a request that came with an Origin (a browser page), else none. */
function corsHeaders(request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  return typeof origin === 'string' ? { 'access-control-allow-origin': origin, vary: 'origin' } : {};
}

/** Where to replay from: just after the event named by `Last-Event-ID`, else from the start. */
function resumePosition(request: IncomingMessage, stream: ResumableStream): number {
  const lastEventId = request.headers['last-event-id'];
  if (typeof lastEventId !== 'string' || !/^-?\d+$/.test(lastEventId.trim())) return 0;
  return stream.positionAfterSeq(Number(lastEventId));
}

/** A gzip stream into `response` that flushes after every write, so no frame waits in the compressor. */
function gzipInto(response: ServerResponse): Writable {
  const gzip = createGzip({ flush: zlibConstants.Z_SYNC_FLUSH });
  // A dropped client destroys the response; pipeline then tears the gzip stream down too.
  pipeline(gzip, response, () => {});
  return gzip;
}
