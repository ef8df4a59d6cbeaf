import type { Clock } from '../../clock.js';
import type { Delivery, DeliveryChannel, DeliveryCounters } from '../types.js';

/**
 * The in-process hand-off: the relay calls the client directly. No wire, no framing; the
 * zero-cost reference the network transports are compared with. Bytes are the event data's
 * UTF-8 length.
 */
export function createDirectDelivery(clock: Clock): Delivery {
  return {
    kind: 'direct',
    async open(_streamId, onEvent, remote): Promise<DeliveryChannel> {
      // Normally refused when the scenario is loaded: a browser needs a wire to connect to.
      if (remote) throw new Error('a browser client needs delivery.type sse or websocket: direct delivery has no URL to connect to');
      const counters: DeliveryCounters = { events: 0, bytes: 0, firstByteAtMs: null, firstEventAtMs: null };
      return {
        send(data) {
          counters.events++;
          counters.bytes += Buffer.byteLength(data);
          if (counters.firstEventAtMs === null) {
            counters.firstEventAtMs = clock.nowMs();
            counters.firstByteAtMs = counters.firstEventAtMs;
          }
          onEvent(data);
        },
        async end() {},
        counters: () => ({ ...counters }),
      };
    },
    async close() {},
  };
}
