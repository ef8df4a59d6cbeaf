/** A small node:http server on 127.0.0.1:0 playing the user's app, for the app-stream reader tests. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AppStreamObserver } from '../../src/target/appStream/types.js';

/** A request the app server received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A running app server. */
export interface AppServer {
  url: string;
  requests: ReceivedRequest[];
  /** Bytes the server wrote on all its sockets (what the client should count). */
  bytesWritten(): number;
  close(): Promise<void>;
}

/** Starts a server whose every request is answered by `handler` (the body already read). */
export async function startAppServer(handler: (request: ReceivedRequest, response: ServerResponse, index: number) => void | Promise<void>): Promise<AppServer> {
  const sockets = new Set<Socket>();
  const requests: ReceivedRequest[] = [];
  const serve = async (incoming: IncomingMessage, response: ServerResponse) => {
    let body = '';
    for await (const part of incoming) body += part;
    const request = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body };
    requests.push(request);
    await handler(request, response, requests.length - 1);
  };
  // node:http does not await its listener; a handler that throws surfaces as an unhandled rejection, which fails the test run.
  const server = createServer((incoming, response) => void serve(incoming, response));
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    bytesWritten: () => [...sockets].reduce((sum, socket) => sum + socket.bytesWritten, 0),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes `frames` one write each, letting each reach the socket before the next (so each is its own chunk). */
export async function writeFrames(response: ServerResponse, frames: string[], gapMs = 2): Promise<void> {
  for (const frame of frames) {
    response.write(frame);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
}

/** An observer that keeps everything it hears. */
export function recordingObserver() {
  const seen = {
    connectedMs: [] as number[],
    heads: [] as Array<{ atMs: number; status: number; headers: Record<string, string> }>,
    events: [] as Array<{ atMs: number; text: string; wireBytes: number }>,
    text: () => seen.events.map((event) => event.text).join(''),
    contentEvents: () => seen.events.filter((event) => event.text !== '').length,
    eventBytes: () => seen.events.reduce((sum, event) => sum + event.wireBytes, 0),
  };
  const observer: AppStreamObserver = {
    connected: (atMs) => seen.connectedMs.push(atMs),
    responseHead: (atMs, status, headers) => seen.heads.push({ atMs, status, headers }),
    event: (atMs, text, wireBytes) => seen.events.push({ atMs, text, wireBytes }),
  };
  return { seen, observer };
}
