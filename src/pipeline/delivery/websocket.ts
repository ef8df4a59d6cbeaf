import type { Clock } from '../../clock.js';
import { createRelayDelivery, type NetworkDelivery, type NetworkDeliveryChannel } from './relayDelivery.js';
import type { WebSocketDeliverySettings } from './settings.js';
import { startWebSocketClient } from './websocketClient.js';
import { startWebSocketRelayServer } from './websocketServer.js';
import { streamPathFor } from './streamRegistry.js';

/** A WebSocket delivery. */
export type WebSocketDelivery = NetworkDelivery;
/** One stream's WebSocket connection. */
export type WebSocketDeliveryChannel = NetworkDeliveryChannel;

/** WebSocket over loopback: a `ws` server per delivery, one `ws` client connection per stream, one text message per event. */
export async function createWebSocketDelivery(settings: WebSocketDeliverySettings, clock: Clock): Promise<WebSocketDelivery> {
  const server = await startWebSocketRelayServer({ perMessageDeflate: settings.perMessageDeflate });
  return createRelayDelivery('websocket', server, (streamId, onEvent) =>
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
