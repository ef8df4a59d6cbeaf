import type { Clock } from '../../clock.js';
import type { Delivery, DeliveryChannel } from '../types.js';
import type { NetworkDeliveryCounters } from './networkCounters.js';
import type { WebSocketDeliverySettings } from './settings.js';
import { startWebSocketClient, type WebSocketClientHandle } from './websocketClient.js';
import { startWebSocketRelayServer, websocketPathFor } from './websocketServer.js';

/** A WebSocket delivery; `origin` is where its server listens (for tools and tests that connect directly). */
export interface WebSocketDelivery extends Delivery {
  readonly origin: string;
  open(streamId: string, onEvent: (data: string) => void): Promise<WebSocketDeliveryChannel>;
}

/** One stream's WebSocket connection, server side, with the client's counters. */
export interface WebSocketDeliveryChannel extends DeliveryChannel {
  counters(): NetworkDeliveryCounters;
}

/**
 * WebSocket over loopback: a `ws` server on its own HTTP server per delivery, one `ws`
 * client connection per stream, one text message per event. `open()` resolves once the
 * connection is open, so the handshake is not charged to the first event.
 */
export async function createWebSocketDelivery(settings: WebSocketDeliverySettings, clock: Clock): Promise<WebSocketDelivery> {
  const server = await startWebSocketRelayServer({ perMessageDeflate: settings.perMessageDeflate });
  const clients = new Set<WebSocketClientHandle>();

  return {
    kind: 'websocket',
    origin: server.origin,
    async open(streamId, onEvent): Promise<WebSocketDeliveryChannel> {
      const stream = server.openStream(streamId);
      const client = startWebSocketClient({
        url: server.origin + websocketPathFor(streamId),
        perMessageDeflate: settings.perMessageDeflate,
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
