import type { Clock } from '../../clock.js';
import { createRelayDelivery, type NetworkDelivery } from './relayDelivery.js';
import type { SseDeliverySettings } from './settings.js';
import { startSseClient } from './sseClient.js';
import { startSseRelayServer } from './sseServer.js';
import { streamPathFor } from './streamRegistry.js';

/**
 * Server-Sent Events over loopback: one node:http server per delivery, one undici client
 * connection per stream; the server listens on `listeners` sockets and the clients spread over them.
 */
export async function createSseDelivery(settings: SseDeliverySettings, clock: Clock, listeners = 1): Promise<NetworkDelivery> {
  const server = await startSseRelayServer(settings, clock, listeners);
  return createRelayDelivery(
    'sse',
    server,
    (streamId, onEvent) => startSseClient({ origin: server.originFor(), path: streamPathFor(streamId), reconnect: settings.reconnect, clock, onEvent }),
    streamPathFor,
  );
}
