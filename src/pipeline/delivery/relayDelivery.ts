/**
 * What SSE and WebSocket delivery share: a relay server that remembers each stream's events,
 * and one client connection per stream. Only the server and the client differ per transport.
 */
import type { Delivery, DeliveryChannel, RemoteClient } from '../types.js';
import type { NetworkDeliveryCounters } from './networkCounters.js';
import type { ResumableStream } from './resumableStream.js';

/** The relay (API server) side of a network transport. */
export interface RelayServer {
  readonly origin: string;
  /** Creates the relay's memory of a stream; clients can connect from now on. */
  openStream(streamId: string): ResumableStream;
  /** Forgets a stream once its client is done. */
  releaseStream(streamId: string): void;
  /** Drops every connection and closes the server. */
  close(): Promise<void>;
}

/** A running client of one stream. */
export interface RelayClientHandle {
  /** Resolves when the first connection is established. */
  readonly connected: Promise<void>;
  /** Resolves when the stream ended and the connection closed; rejects on a transport failure. */
  readonly done: Promise<void>;
  /** Counters so far, counted at the client. */
  counters(): NetworkDeliveryCounters;
  /** Drops the connection now (delivery shutdown) and waits for the socket to close. */
  abort(): Promise<void>;
  /** The relay has sent everything (a remote client starts its deadline). */
  relayEnded?(): void;
}

/** One stream's network connection, server side, with the client's counters. */
export interface NetworkDeliveryChannel extends DeliveryChannel {
  counters(): NetworkDeliveryCounters;
}

/** A network delivery; `origin` is where its server listens (for tools and tests that connect directly). */
export interface NetworkDelivery extends Delivery {
  readonly origin: string;
  open(streamId: string, onEvent: (data: string) => void, remote?: RemoteClient): Promise<NetworkDeliveryChannel>;
}

/**
 * Builds a delivery from a started relay server and a way to start one client per stream.
 * `open()` resolves once the client is connected, so connection setup is not charged to the
 * first event.
 */
export function createRelayDelivery(
  kind: string,
  server: RelayServer,
  startClient: (streamId: string, onEvent: (data: string) => void) => RelayClientHandle,
  pathFor: (streamId: string) => string,
): NetworkDelivery {
  const clients = new Set<RelayClientHandle>();
  return {
    kind,
    origin: server.origin,
    async open(streamId, onEvent, remote) {
      const stream = server.openStream(streamId);
      // A remote client (a browser page) connects to the relay's URL for the stream by itself.
      const client: RelayClientHandle = remote ? remote.connect(server.origin + pathFor(streamId)) : startClient(streamId, onEvent);
      clients.add(client);
      const done = client.done.finally(() => {
        clients.delete(client);
        server.releaseStream(streamId);
      });
      done.catch(() => {}); // surfaced by end() (or by open() if the first connect fails)
      await Promise.race([client.connected, done]);
      return {
        send: (data, seq) => stream.append(data, seq),
        async end() {
          stream.finish();
          client.relayEnded?.();
          await done;
        },
        counters: () => client.counters(),
      };
    },
    async close() {
      await Promise.all([...clients].map((client) => client.abort()));
      await server.close();
    },
  };
}
