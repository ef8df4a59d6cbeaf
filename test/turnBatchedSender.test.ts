/**
 * TurnBatchedSender against a real Redis: the commands of one event-loop turn wait in the
 * corked socket and leave together after the turn, replies come back in order and decoded as
 * UTF-8 strings, error replies reject as ReplyError, commands sent through ioredis' own methods
 * join the turn's write after corkThisTurn, and an explicit pipeline sent in the same turn keeps
 * its place in the order.
 */
import { type Redis, ReplyError } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisConnection } from '../src/pipeline/brokers/redis/connection.js';
import { runKeyPrefix } from '../src/pipeline/brokers/redis/keys.js';
import { TurnBatchedSender } from '../src/pipeline/brokers/redis/turnBatchedSender.js';
import { newRunId } from './helpers/redisBroker.js';
import { redisUrlForTests } from './helpers/redisUrl.js';

const url = await redisUrlForTests();

describe.skipIf(url === null)('TurnBatchedSender', () => {
  let redis: Redis;
  const key = `${runKeyPrefix(newRunId())}turn-batched`;

  beforeAll(async () => {
    redis = await openRedisConnection(url!, 'test-turn-batched');
  });

  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it('holds a turn’s commands in the corked socket, sends them after the turn, and settles them in order', async () => {
    const sender = new TurnBatchedSender(redis);
    const replies = [sender.send('rpush', [key, 'tökén 🙂', 'b']), sender.send('expire', [key, 60]), sender.send('lrange', [key, 0, -1]), sender.send('rpush', [key, 'c'])];
    // Still in the turn: corked once, nothing flushed to the kernel yet.
    expect(redis.stream.writableCorked).toBe(1);
    expect(redis.stream.writableLength).toBeGreaterThan(0);
    expect(await Promise.all(replies)).toEqual([2, 1, ['tökén 🙂', 'b'], 3]);
    expect(redis.stream.writableCorked).toBe(0);
    expect(redis.stream.writableLength).toBe(0);
  });

  it('rejects an error reply as ReplyError without failing the commands around it', async () => {
    const sender = new TurnBatchedSender(redis);
    const before = sender.send('llen', [key]);
    const wrong = sender.send('incr', [key]); // WRONGTYPE: the key holds a list
    const after = sender.send('lindex', [key, -1]);
    await expect(wrong).rejects.toBeInstanceOf(ReplyError);
    expect(await before).toBe(3);
    expect(await after).toBe('c');
  });

  it("holds commands sent through ioredis' own methods after corkThisTurn (a subscriber's SUBSCRIBEs) in the turn's one write", async () => {
    const subscriber = await openRedisConnection(url!, 'test-turn-batched-subscriber');
    try {
      const sender = new TurnBatchedSender(subscriber);
      const channels = [`${key}:a`, `${key}:b`, `${key}:c`];
      const confirmations = channels.map((channel) => {
        sender.corkThisTurn(); // once per stream, as each stream subscribes; a no-op after the first
        return subscriber.subscribe(channel);
      });
      expect(subscriber.stream.writableCorked).toBe(1);
      expect(subscriber.stream.writableLength).toBeGreaterThan(0);
      expect(await Promise.all(confirmations)).toEqual([1, 2, 3]);
      expect(subscriber.stream.writableCorked).toBe(0);
      sender.corkThisTurn();
      const left = subscriber.unsubscribe(...channels);
      expect(subscriber.stream.writableCorked).toBe(1);
      expect(await left).toBe(0);
    } finally {
      subscriber.disconnect();
    }
  });

  it('keeps an explicit pipeline sent in the same turn in its place', async () => {
    const sender = new TurnBatchedSender(redis);
    const first = sender.send('rpush', [key, 'd']);
    const pipeline = redis.pipeline([['rpush', key, 'e']]).exec();
    const last = sender.send('lrange', [key, -2, -1]);
    expect(await first).toBe(4);
    expect(await pipeline).toEqual([[null, 5]]);
    expect(await last).toEqual(['d', 'e']);
  });
});
