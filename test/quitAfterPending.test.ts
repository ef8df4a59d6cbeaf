import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quitAfterPending } from '../src/pipeline/brokers/redis/connection.js';
import { redisUrlForTests } from './helpers/redisUrl.js';

const url = await redisUrlForTests();

// A stream aborted mid-write closes its connections before the broker DELs its keys: a write
// still on its way would otherwise land after the DEL and re-create the key without a TTL.
describe.skipIf(url === null)('closing a connection after what it sent', () => {
  let observer: Redis;
  const key = `streambench:test-quit-${randomBytes(4).toString('hex')}:{0}:l`;
  beforeAll(() => {
    observer = new Redis(url!);
  });
  afterAll(async () => {
    await observer.del(key);
    await observer.quit();
  });

  it('resolves only after the server processed every command sent before it', async () => {
    const writer = new Redis(url!);
    await writer.ping();
    // Not awaited, as a fire-and-forget producer sends them.
    const writes = Array.from({ length: 500 }, (_, index) => writer.rpush(key, `item-${index}`).catch(() => null));
    await quitAfterPending(writer);
    expect(await observer.llen(key)).toBe(500);
    expect((await Promise.all(writes)).at(-1)).toBe(500);
  });

  it('gives up on a connection that is not open, at once', async () => {
    const writer = new Redis(url!, { lazyConnect: true });
    const started = performance.now();
    await quitAfterPending(writer, 5_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
