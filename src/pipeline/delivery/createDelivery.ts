import type { Clock } from '../../clock.js';
import type { Delivery } from '../types.js';
import { createDirectDelivery } from './direct.js';
import type { DeliverySettings } from './settings.js';
import { createSseDelivery } from './sse.js';
import { createWebSocketDelivery } from './websocket.js';

/** Builds the delivery a scenario asks for; network transports have their server listening when this resolves. */
export async function createDelivery(settings: DeliverySettings, deps: { clock: Clock }): Promise<Delivery> {
  switch (settings.type) {
    case 'direct':
      return createDirectDelivery(deps.clock);
    case 'sse':
      return createSseDelivery(settings, deps.clock);
    case 'websocket':
      return createWebSocketDelivery(settings, deps.clock);
  }
}
