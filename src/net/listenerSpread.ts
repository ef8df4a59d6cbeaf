/**
 * Node 20's libuv accepts one connection per event-loop turn per listening socket (libuv
 * 1.45+, libuv/libuv#3696): under a loaded loop the accept queue drains one connection every
 * 10–70 ms, and a ramp of hundreds of streams waits seconds to be accepted. Extra listening
 * sockets feeding the same node:http server accept one connection each per turn, so a server
 * expecting many concurrent connections listens on several ports and its clients spread over
 * them. Node 20 has no listen option for this (no reusePort, no accept batch).
 */
import type { Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';

/** Concurrent connections per listening socket: below this a single socket keeps up. */
export const STREAMS_PER_LISTENER = 10;
/** At most this many listening sockets per server (each is one file descriptor and one poll entry). */
export const MAX_LISTENERS = 64;

/** How many listening sockets a server expecting `concurrency` concurrent connections opens: 1 up to 10, then one per 10, at most 64. */
export function listenersFor(concurrency: number): number {
  if (!Number.isFinite(concurrency) || concurrency <= STREAMS_PER_LISTENER) return 1;
  return Math.min(MAX_LISTENERS, Math.ceil(concurrency / STREAMS_PER_LISTENER));
}

/** The extra listening sockets of a server that already listens on its own port. */
export interface SpreadListeners {
  /** The `http://127.0.0.1:port` origins of the extra sockets (empty: one socket only). */
  readonly origins: readonly string[];
  /** Stops the extra sockets listening and waits until they are closed (their connections belong to the http server). */
  close(): Promise<void>;
}

/** Opens `extra` more listening sockets on 127.0.0.1 whose connections `server` serves as its own. */
export async function listenSpread(server: HttpServer, extra: number): Promise<SpreadListeners> {
  const listeners: NetServer[] = [];
  const origins: string[] = [];
  const closeAll = () => Promise.all(listeners.map((listener) => new Promise<void>((resolve) => (listener.listening ? listener.close(() => resolve()) : resolve()))));
  try {
    for (let index = 0; index < extra; index++) {
      // 'connection' is how node:http takes a socket it did not accept itself (documented for this use).
      const listener = createNetServer((socket) => server.emit('connection', socket));
      listeners.push(listener);
      const port = await new Promise<number>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(0, '127.0.0.1', () => {
          listener.off('error', reject);
          resolve((listener.address() as AddressInfo).port);
        });
      });
      origins.push(`http://127.0.0.1:${port}`);
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  return {
    origins,
    async close() {
      await closeAll();
    },
  };
}
