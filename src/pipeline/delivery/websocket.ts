import type { Clock } from '../../clock.js';
import { createRelayDelivery, type NetworkDelivery } from './relayDelivery.js';
import type { WebSocketDeliverySettings } from './settings.js';
import { startWebSocketClient } from './websocketClient.js';
import { startWebSocketRelayServer } from './websocketServer.js';
import { streamPathFor } from './streamRegistry.js';

/** WebSocket over loopback: a `ws` server per delivery, one `ws` client connection per stream, one text message per event. */
export async function createWebSocketDelivery(settings: WebSocketDeliverySettings, clock: Clock): Promise<NetworkDelivery> {
  const server = await startWebSocketRelayServer({ perMessageDeflate: settings.perMessageDeflate });
  return createRelayDelivery(
    'websocket',
    server,
    (streamId, onEvent) =>
      startWebSocketClient({
        url: server.origin + streamPathFor(streamId),
        perMessageDeflate: settings.perMessageDeflate,
        reconnect: settings.reconnect,
        clock,
        onEvent,
      }),
    streamPathFor,
  );
}
