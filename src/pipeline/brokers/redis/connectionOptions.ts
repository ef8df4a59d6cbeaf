/**
 * Options of every connection the tool opens to a Redis node, whether alone or inside a
 * Cluster client (see each comment for why).
 */

/** The node-connection options for `role` (it names the connection in CLIENT LIST). */
export function connectionOptions(role: string, timeoutMs: number) {
  return {
    lazyConnect: true,
    // RESP2, as the field's redis-py speaks it, so byte counts compare with the field.
    protocol: 2 as const,
    // A benchmark must fail loudly, not reconnect and resend behind its counters' back.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    connectionName: `streambench-${role}`,
    // Fewer handshake commands; CLIENT SETINFO tells the server nothing the name does not.
    disableClientInfo: true,
  };
}
