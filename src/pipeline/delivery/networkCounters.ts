import type { DeliveryCounters } from '../types.js';

/** Delivery counters of the network transports: the common ones plus what only a wire has. */
export interface NetworkDeliveryCounters extends DeliveryCounters {
  /** Times the client dropped its connection and reconnected. */
  reconnects: number;
  /** SSE comment lines (heartbeats) the client received; they are not events. Always 0 over WebSocket. */
  heartbeats: number;
}
