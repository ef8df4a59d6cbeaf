import type { Clock } from '../../clock.js';
import type { Delivery } from '../types.js';
import { createDirectDelivery } from './direct.js';
import type { DeliverySettings } from './settings.js';
import { createSseDelivery } from './sse.js';
import { listenersFor } from '../../net/listenerSpread.js';
import { createWebSocketDelivery } from './websocket.js';

/**
 * Builds the delivery a scenario asks for; network transports have their server listening when
 * this resolves. `concurrency`: the streams this thread expects at once (sizes the SSE server's listening sockets).
 */
export async function createDelivery(settings: DeliverySettings, deps: { clock: Clock; concurrency?: number }): Promise<Delivery> {
  switch (settings.type) {
    case 'direct':
      return createDirectDelivery(deps.clock);
    case 'sse':
      return createSseDelivery(settings, deps.clock, listenersFor(deps.concurrency ?? 1));
    case 'websocket':
      return createWebSocketDelivery(settings, deps.clock);
  }
}
