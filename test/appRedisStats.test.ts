/**
 * AppRedisStats against a real private redis-server: the commands clients sent (MONITOR, a
 * script's own commands left out) next to what Redis executed (INFO commandstats), the
 * observer's own commands in neither, and a Redis that refuses MONITOR said so.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { AppRedisStats } from '../src/target/appRedisStats.js';
import { privateRedisForTheseTests } from './helpers/privateRedis.js';

describe('AppRedisStats on a private redis-server', () => {
  const redis = privateRedisForTheseTests(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

  it('counts one EVAL as one command sent, and its RPUSH and PUBLISH as executed', async (context) => {
    // Exact counts need a Redis with nothing else on it.
    if (redis.server === null) return context.skip('redis-server is not on PATH');
    const app = new Redis(redis.url, { lazyConnect: true });
    await app.connect();
    const stats = await AppRedisStats.open(redis.url, systemClock);
    try {
      await stats.begin(false);
      for (let index = 0; index < 3; index++) await app.eval("redis.call('RPUSH', KEYS[1], 'a'); redis.call('PUBLISH', 'c', 'x'); return 1", 1, 'stats-test:list');
      await app.lrange('stats-test:list', 0, -1);
      await app.multi().get('stats-test:x').exec();
      const calls = await stats.end();
      expect(calls.sent).toEqual({ eval: 3, lrange: 1, multi: 1, get: 1, exec: 1 });
      expect(calls.executed).toEqual({ eval: 3, rpush: 3, publish: 3, lrange: 1, multi: 1, get: 1, exec: 1 });
    } finally {
      await app.del('stats-test:list');
      app.disconnect();
      await stats.close();
    }
  }, 20000);

  it('a Redis that refuses MONITOR leaves the commands sent uncounted, saying why, and the executed counts stand', async (context) => {
    if (redis.server === null) return context.skip('redis-server is not on PATH');
    // A user of this private server without MONITOR (the shared Redis is never reconfigured).
    await redis.inspector.call('ACL', 'SETUSER', 'nomonitor', 'on', '>pw', '~*', '&*', '+@all', '-monitor');
    const url = new URL(redis.url);
    url.username = 'nomonitor';
    url.password = 'pw';
    const app = new Redis(redis.url, { lazyConnect: true });
    await app.connect();
    const stats = await AppRedisStats.open(url.toString(), systemClock);
    try {
      await stats.begin(false);
      await app.get('stats-test:y');
      const calls = await stats.end();
      expect(calls.sent).toBeNull();
      expect(calls.sentNote).toMatch(/MONITOR was refused/);
      expect(calls.executed).toEqual({ get: 1 });
    } finally {
      app.disconnect();
      await stats.close();
      await redis.inspector.call('ACL', 'DELUSER', 'nomonitor');
    }
  }, 20000);
});
