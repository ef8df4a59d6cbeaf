/**
 * The Redis brokers (`redis-list`, `redis-stream`, `redis-pubsub`). By default each stream gets
 * its own connections (producer; consumer commands; subscriber), as producer and consumer have
 * in the field, which also makes every counter attributable to exactly one stream; with
 * `connections: shared` the streams share the broker's (sharedConnections.ts). The broker keeps
 * one admin connection (a Cluster client in a cluster) for cleanup: dispose() deletes a
 * stream's keys, close() deletes whatever is left after a failure or SIGINT, and every key
 * carries a TTL besides.
 */
import type { Clock } from '../../../clock.js';
import type { Broker, OpenStreamOptions } from '../../types.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from './commandDeadline.js';
import { openRedisClient, redactUrl } from './connection.js';
import { openCountedConnections } from './countedConnection.js';
import { KeyRegistry } from './keyRegistry.js';
import { runKeyPrefix, streamKeys } from './keys.js';
import { openRedisListStream } from './listBroker.js';
import { openRedisPubsubStream } from './pubsubBroker.js';
import type { RedisBrokerSettings } from './settings.js';
import { SharedConnections } from './sharedConnections.js';
import type { RedisBrokerStream } from './streamBase.js';
import type { ByteCounts, OpenStreamConnections } from './streamConnection.js';
import { openRedisStreamStream } from './streamBroker.js';

/** Where and under which run the broker works. */
export interface RedisBrokerOptions {
  /** redis:// or rediss:// URL (password and db allowed), or redis+cluster:// for a Redis Cluster; see resolveRedis. */
  url: string;
  /** Every key goes under `streambench:<runId>:`. */
  runId: string;
  /** Accepted for parity with the other brokers; Redis brokers take no timestamps themselves. */
  clock: Clock;
  /** The run's interruption: once it aborts, the key cleanup waits INTERRUPTED_CLEANUP_TIMEOUT_MS at most per DEL. */
  interruption?: AbortSignal;
}

/** A Redis broker: its streams also report commands per name. */
export interface RedisBroker extends Broker {
  openStream(streamId: string, options?: OpenStreamOptions): Promise<RedisBrokerStream>;
  /** Keys created and not deleted yet (for tests and diagnostics). */
  liveKeys(): string[];
  /** With `connections: shared`: bytes on the shared sockets, and the part no stream was charged (for tests); null otherwise. */
  sharedBytes(): Promise<{ socket: ByteCounts; unattributed: ByteCounts } | null>;
}

/** Connects to Redis (RedisSetupError with the redacted URL when it does not answer) and returns the broker. */
export async function createRedisBroker(settings: RedisBrokerSettings, options: RedisBrokerOptions): Promise<RedisBroker> {
  runKeyPrefix(options.runId); // validates the run id before anything is written
  const redactedUrl = redactUrl(options.url);
  // Every command awaited on any connection of the broker gets this deadline (see commandDeadline.ts).
  const deadline = { redactedUrl, timeoutMs: settings.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS };
  const shared = 'connections' in settings && settings.connections === 'shared' ? new SharedConnections(options.url, deadline) : null;
  const openConnections: OpenStreamConnections = shared
    ? (roles, tally) => shared.open(roles, tally)
    : (roles, tally, homeKey) => openCountedConnections(options.url, roles, tally, homeKey, deadline);
  const admin = await openRedisClient(options.url, 'admin', deadline.timeoutMs);
  const keyRegistry = new KeyRegistry(admin, { ...deadline, role: 'admin', interruption: options.interruption });
  const openStreams = new Set<RedisBrokerStream>();
  let closed = false;

  return {
    kind: settings.type,
    async openStream(streamId, streamOptions) {
      if (closed) throw new Error('openStream() on a closed Redis broker');
      let stream: RedisBrokerStream | undefined;
      const place = {
        keys: streamKeys(options.runId, streamId),
        keyRegistry,
        redactedUrl,
        onDispose: () => void openStreams.delete(stream!),
        role: streamOptions?.role ?? 'both',
        openConnections,
      };
      stream =
        settings.type === 'redis-list'
          ? await openRedisListStream(settings, place)
          : settings.type === 'redis-stream'
            ? await openRedisStreamStream(settings, place)
            : await openRedisPubsubStream(place);
      openStreams.add(stream);
      return stream;
    },
    liveKeys: () => keyRegistry.liveKeys(),
    sharedBytes: async () => shared && { socket: await shared.socketBytes(), unattributed: shared.unattributedBytes() },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await Promise.allSettled([...openStreams].map((stream) => stream.dispose()));
        // The shared connections close (after what they carry was processed) before the last DEL.
        await shared?.close();
        await keyRegistry.deleteAll();
      } finally {
        await shared?.close();
        admin.disconnect();
      }
    },
  };
}
