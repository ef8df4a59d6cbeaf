import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startPrivateRedisServer, type PrivateRedisServer } from '../../src/pipeline/brokers/redis/privateServer.js';

/** A Redis for the tests of one describe block, with an inspector connection to it. */
export interface TestRedis {
  /** The private redis-server, or null when redis-server is not on PATH (then `url` is the fallback). */
  server: PrivateRedisServer | null;
  url: string;
  inspector: Redis;
}

/**
 * Registers, in the enclosing describe, a private redis-server (nothing on it but these tests'
 * traffic: exact INFO counts, CLIENT LIST/KILL by name) when redis-server is on PATH, else
 * `fallbackUrl`. Read its fields inside tests, after beforeAll ran.
 */
export function privateRedisForTheseTests(fallbackUrl: string): TestRedis {
  const own = { server: null, url: fallbackUrl, inspector: undefined as unknown as Redis } as TestRedis;
  beforeAll(async () => {
    own.server = await startPrivateRedisServer();
    if (own.server !== null) own.url = own.server.url;
    own.inspector = new Redis(own.url, { lazyConnect: true });
    await own.inspector.connect();
  });
  afterAll(async () => {
    own.inspector?.disconnect();
    await own.server?.stop();
  });
  return own;
}
