import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeServer, listenOnLoopback } from '../../net/loopbackServer.js';
import type { RelayServer } from './relayDelivery.js';
import type { ResumableStream } from './resumableStream.js';
import { StreamRegistry } from './streamRegistry.js';

/** Query parameter a resuming client sends: how many events of the stream it has already received. */
export const RESUME_FROM_PARAM = 'resumeFrom';

/**
 * Options `ws` takes for permessage-deflate, or false. The threshold is 0 because ws's
 * default (1024 bytes) would leave every token-sized message uncompressed.
 */
export function perMessageDeflateOption(enabled: boolean): false | { threshold: number } {
  return enabled ? { threshold: 0 } : false;
}

/**
 * Starts the relay's WebSocket server on 127.0.0.1, on an ephemeral port: `GET /streams/<streamId>`,
 * one connection per client.
 */
export async function startWebSocketRelayServer(options: { perMessageDeflate: boolean }): Promise<RelayServer> {
  const streams = new StreamRegistry();
  const server = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required\n');
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: perMessageDeflateOption(options.perMessageDeflate) });

  const serve = (ws: WebSocket, stream: ResumableStream, fromPosition: number): void => {
    ws.on('error', () => {}); // a client dropping mid-write is expected (reconnect), not a failure
    const detach = stream.attach(
      {
        event: (data) => ws.send(data),
        end: () => ws.close(1000),
      },
      fromPosition,
    );
    ws.once('close', detach);
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://relay');
    const stream = streams.fromPath(url.pathname);
    if (!stream) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const fromPosition = Number(url.searchParams.get(RESUME_FROM_PARAM) ?? 0);
    wss.handleUpgrade(request, socket, head, (ws) => serve(ws, stream, Number.isInteger(fromPosition) ? fromPosition : 0));
  });

  const port = await listenOnLoopback(server);
  return {
    origin: `ws://127.0.0.1:${port}`,
    openStream: (streamId) => streams.open(streamId),
    releaseStream: (streamId) => streams.release(streamId),
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closeServer(server);
    },
  };
}
