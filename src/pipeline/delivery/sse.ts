import type { Clock } from '../../clock.js';
import type { Delivery, DeliveryChannel } from '../types.js';
import type { NetworkDeliveryCounters } from './networkCounters.js';
import type { SseDeliverySettings } from './settings.js';
import { startSseClient, type SseClientHandle } from './sseClient.js';
import { ssePathFor, startSseRelayServer } from './sseServer.js';

/** An SSE delivery; `origin` is where its server listens (for tools and tests that connect directly). */
export interface SseDelivery extends Delivery {
  readonly origin: string;
  open(streamId: string, onEvent: (data: string) => void): Promise<SseDeliveryChannel>;
}

/** One stream's SSE connection, server side, with the client's counters. */
export interface SseDeliveryChannel extends DeliveryChannel {
  counters(): NetworkDeliveryCounters;
}

/**
 * Server-Sent Events over loopback: one node:http server per delivery, one undici client
 * connection per stream. `open()` resolves once the client has the response head, so
 * connection setup is not charged to the first event.
 */
export async function createSseDelivery(settings: SseDeliverySettings, clock: Clock): Promise<SseDelivery> {
  const server = await startSseRelayServer(settings, clock);
  const clients = new Set<SseClientHandle>();

  return {
    kind: 'sse',
    origin: server.origin,
    async open(streamId, onEvent): Promise<SseDeliveryChannel> {
      const stream = server.openStream(streamId);
      const client = startSseClient({
        origin: server.origin,
        path: ssePathFor(streamId),
        reconnect: settings.reconnect,
        clock,
        onEvent,
      });
      clients.add(client);
      const done = client.done.finally(() => {
        clients.delete(client);
        server.releaseStream(streamId);
      });
      done.catch(() => {}); // surfaced by end() (or by open() if the first connect fails)
      await Promise.race([client.connected, done]);
      return {
        send: (data, seq) => stream.append({ data, seq }),
        async end() {
          stream.finish();
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
