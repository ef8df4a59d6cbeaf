/**
 * The Redis brokers against a real Redis. Tests in this file run one after another, and no
 * other test in it writes while a count is taken, so INFO commandstats deltas are exact.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { createRedisBroker, type RedisBroker } from '../src/pipeline/brokers/redis/broker.js';
import { redactUrl, resolveRedis, RedisSetupError } from '../src/pipeline/brokers/redis/connection.js';
import { runKeyPrefix, streamKeys } from '../src/pipeline/brokers/redis/keys.js';
import { startPrivateRedisServer } from '../src/pipeline/brokers/redis/privateServer.js';
import { redisBrokerSettingsSchema, type RedisBrokerSettings } from '../src/pipeline/brokers/redis/settings.js';
import type { RedisBrokerStream } from '../src/pipeline/brokers/redis/streamBase.js';
import type { BrokerItem } from '../src/pipeline/types.js';
import { contentItems, waitFor } from './helpers/brokerItems.js';
import { privateRedisForTheseTests } from './helpers/privateRedis.js';
import { newRunId, withRedisBroker } from './helpers/redisBroker.js';
import { redisUrlForTests } from './helpers/redisUrl.js';
import { entryOf } from './helpers/indexed.js';

const sharedUrl = await redisUrlForTests();

const LIST_WRITES = ['fire-and-forget', 'awaited', 'pipelined', 'eval'] as const;
const LIST_READS = ['full', 'from-index', 'window', 'window-catchup'] as const;
const END_ITEM = '{"type":"status","status":"completed"}';

function settingsOf(input: Record<string, unknown>): RedisBrokerSettings {
  return redisBrokerSettingsSchema.parse(input);
}

/** What a consumer got: every item, and the batches as read. */
class Collector {
  readonly items: BrokerItem[] = [];
  readonly batches: BrokerItem[][] = [];
  readonly onItems = (items: BrokerItem[]): void => {
    this.batches.push(items);
    this.items.push(...items);
  };
  positions(): number[] {
    return this.items.map((item) => item.position);
  }
}

/** Writes one item at a time the way a runner does: awaiting only when the stream says writes are awaited. */
async function writeOne(stream: RedisBrokerStream, item: string): Promise<void> {
  const write = stream.write([item]);
  if (stream.awaitWrites) await write;
}

/** Keys under `prefix` on the server. */
async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  return redis.keys(`${prefix}*`);
}

/** INFO commandstats as calls per command name. */
async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]!] = Number(match[2]);
  return calls;
}

function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after)) {
    const change = calls - (before[name] ?? 0);
    if (change !== 0) result[name] = change;
  }
  return result;
}

/** RESP bytes of one bulk string. */
function respBulkBytes(value: string | number): number {
  const length = Buffer.byteLength(String(value));
  return `$${length}\r\n`.length + length + 2;
}

/** RESP bytes of a command as a client sends it (an array of bulk strings); pushed messages look the same. */
function respCommandBytes(args: readonly (string | number)[]): number {
  return `*${args.length}\r\n`.length + args.reduce<number>((sum, arg) => sum + respBulkBytes(arg), 0);
}

/** RESP bytes of an integer reply. */
function respIntegerBytes(value: number): number {
  return `:${value}\r\n`.length;
}

describe('redactUrl', () => {
  it('replaces the password and keeps everything else', () => {
    expect(redactUrl('redis://:s3cret@example.com:6380/2')).toBe('redis://:***@example.com:6380/2');
    expect(redactUrl('rediss://user:p%40ss@example.com:6380')).toBe('rediss://user:***@example.com:6380');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactUrl('redis://host:6379/0?password=hush')).toBe('redis://host:6379/0?password=***');
  });

  it('hides a password outside the userinfo of a URL one slash short, or of text that is not a URL', () => {
    // "redis:/:…@" parses, with the secret in its path: no password field to blank.
    expect(redactUrl('redis:/:TOPSECRET@127.0.0.1:6379')).not.toContain('TOPSECRET');
    expect(redactUrl('redis//:TOPSECRET@127.0.0.1:6379')).not.toContain('TOPSECRET');
    expect(redactUrl('redis://user:pa/ss@[::1]:6379')).not.toContain('pa/ss');
  });

  it('a redis:// URL that does not parse is named with its form, not a bare "Invalid URL", its password hidden', async () => {
    const error = await resolveRedis('redis://:hunter2@127.0.0.1:notaport').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedisSetupError);
    expect((error as Error).message).toBe('"redis://:***@127.0.0.1:notaport" is not a valid URL; write it as redis://[user:password@]host:port[/db] (a port is a number)');
  });
});

describe('connecting to an unreachable Redis', () => {
  it('gives a clear error naming the URL, with no stack trace', async () => {
    const error = await resolveRedis('redis://127.0.0.1:1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedisSetupError);
    const text = String((error as Error).stack);
    expect(text).toContain('redis://127.0.0.1:1');
    expect(text).toContain('Cannot connect to Redis at redis://127.0.0.1:1 (connect ECONNREFUSED');
    expect(text).toContain('--redis');
    expect(text).not.toMatch(/\n\s+at /);
  });

  it('never shows the password of the URL', async () => {
    const url = 'redis://:hunter2-secret@127.0.0.1:1/3';
    for (const attempt of [() => resolveRedis(url), () => createRedisBroker(settingsOf({ type: 'redis-list' }), { url, runId: newRunId(), clock: systemClock })]) {
      const error = (await attempt().catch((caught: unknown) => caught)) as Error;
      expect(error).toBeInstanceOf(RedisSetupError);
      expect(`${error.message} ${error.stack}`).not.toContain('hunter2-secret');
      expect(error.message).toContain('redis://:***@127.0.0.1:1/3');
    }
  });

  it('rejects a --redis value that is neither a URL, auto nor off', async () => {
    await expect(resolveRedis('localhost:6379')).rejects.toThrow(/--redis must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(await resolveRedis('off')).toEqual({ skipped: 'Redis configs skipped: --redis off.' });
  });

  it('auto with no Redis and no redis-server on PATH says how to provide Redis', async () => {
    const resolution = await resolveRedis('auto', { PATH: '/nonexistent' }, 'redis://127.0.0.1:1');
    expect(resolution).toHaveProperty('skipped');
    const message = (resolution as { skipped: string }).skipped;
    for (const hint of ['--redis', 'REDIS_URL', 'redis-server']) expect(message).toContain(hint);
  });
});

describe.skipIf(sharedUrl === null)('Redis brokers', () => {
  const url = sharedUrl!;
  let inspector: Redis;

  beforeAll(async () => {
    inspector = new Redis(url, { lazyConnect: true });
    await inspector.connect();
  });
  afterAll(() => inspector?.disconnect());

  const withBroker = <T>(settings: RedisBrokerSettings, body: (broker: RedisBroker, runId: string) => Promise<T>, brokerUrl = url) => withRedisBroker(settings, brokerUrl, body);

  /** Writes `items` as fast as the stream allows, then the end item; returns what the reader got. */
  async function relayBurst(stream: RedisBrokerStream, items: string[]): Promise<Collector> {
    const collector = new Collector();
    const reading = stream.read(collector.onItems);
    for (const item of items) await writeOne(stream, item);
    await stream.end(END_ITEM);
    await reading;
    return collector;
  }

  function expectExactDelivery(collector: Collector, items: string[]): void {
    expect(collector.positions()).toEqual([...items.keys(), items.length]);
    expect(collector.items.map((item) => item.payload)).toEqual([...items, END_ITEM]);
  }

  describe('every strategy delivers exactly the items written, in order, end item last', () => {
    const items = contentItems(100);
    const cases: Record<string, unknown>[] = [
      ...LIST_WRITES.flatMap((write) => LIST_READS.map((read) => ({ type: 'redis-list', write, read }))),
      { type: 'redis-stream' },
      { type: 'redis-stream', count: 7, maxLen: 1000 },
      { type: 'redis-pubsub' },
    ];
    for (const input of cases) {
      it(JSON.stringify(input), async () => {
        await withBroker(settingsOf(input), async (broker, runId) => {
          const stream = await broker.openStream('s1');
          const collector = await relayBurst(stream, items);
          expectExactDelivery(collector, items);
          await stream.dispose();
          expect(await keysUnder(inspector, runKeyPrefix(runId))).toEqual([]);
          expect(broker.liveKeys()).toEqual([]);
        });
      });
    }
  });

  describe('exact command counts for a 100-item stream, cross-checked with INFO commandstats', () => {
    // Lockstep: the reader subscribes first, then each item is written only after the reader
    // delivered the previous one, so every signal finds exactly one new item and every count
    // below is determined. 100 items + the end item = 101 writes.
    //
    // redis-list producer: per write RPUSH + PUBLISH "new" (2), the first write adds EXPIRE (1),
    //   the end write adds PUBLISH END_STREAM: 100×2 + 1 + 3 = 204 commands. Round trips: one
    //   per command (fire-and-forget, awaited) = 204; one per write (pipelined) = 101.
    //   eval: one EVAL (first) or EVALSHA per write = 101 commands and round trips; the
    //   server also counts the script's inner RPUSH ×101, EXPIRE ×1, PUBLISH ×102.
    // redis-list reader, any strategy: SUBSCRIBE (1) + the join LRANGE (1) + one LRANGE per
    //   "new" signal (101): window reads return 1 item < 10, so no second read and no drain
    //   = 103. Signals received: 101 "new" + END_STREAM = 102.
    // redis-stream: XADD ×101 + EXPIRE = 102; reader XRANGE (catch-up, empty) + one XREAD
    //   per entry (101) = 102. No pub/sub.
    // redis-pubsub: PUBLISH ×101 items + END_STREAM = 102; reader SUBSCRIBE = 1; 102 messages.
    const listProducer = { rpush: 101, expire: 1, publish: 102 };
    const listReader = { subscribe: 1, lrange: 102 };
    const expectations: {
      settings: Record<string, unknown>;
      commands: number;
      roundTrips: number;
      signals: number;
      byName: Record<string, number>;
      scriptInner?: Record<string, number>;
    }[] = [
      ...LIST_READS.flatMap((read) => [
        { settings: { type: 'redis-list', write: 'fire-and-forget', read }, commands: 307, roundTrips: 307, signals: 102, byName: { ...listProducer, ...listReader } },
        { settings: { type: 'redis-list', write: 'awaited', read }, commands: 307, roundTrips: 307, signals: 102, byName: { ...listProducer, ...listReader } },
        { settings: { type: 'redis-list', write: 'pipelined', read }, commands: 307, roundTrips: 101 + 103, signals: 102, byName: { ...listProducer, ...listReader } },
        {
          settings: { type: 'redis-list', write: 'eval', read },
          commands: 101 + 103,
          roundTrips: 101 + 103,
          signals: 102,
          byName: { eval: 1, evalsha: 100, ...listReader },
          scriptInner: listProducer,
        },
      ]),
      { settings: { type: 'redis-stream' }, commands: 204, roundTrips: 204, signals: 0, byName: { xadd: 101, expire: 1, xrange: 1, xread: 101 } },
      { settings: { type: 'redis-pubsub' }, commands: 103, roundTrips: 103, signals: 102, byName: { publish: 102, subscribe: 1 } },
    ];

    // A private server sees no traffic but ours; without redis-server on PATH, the shared one
    // (where nothing else in this file writes meanwhile).
    const countServer = privateRedisForTheseTests(url);

    for (const expected of expectations) {
      it(JSON.stringify(expected.settings), async () => {
        const items = contentItems(100);
        await withBroker(
          settingsOf(expected.settings),
          async (broker, runId) => {
            const stream = await broker.openStream('counted');
            const before = await commandCalls(countServer.inspector);
            const collector = new Collector();
            const reading = stream.read(collector.onItems);
            if (expected.settings.type === 'redis-list') {
              // The first PUBLISH must find the reader subscribed, or item 0 comes with the join
              // read instead of a signal (one LRANGE and one signal fewer).
              const channel = streamKeys(runId, 'counted').signalChannel;
              await waitFor(async () => (await countServer.inspector.pubsub('NUMSUB', channel))[1] === 1, 'the SUBSCRIBE');
            }
            if (expected.settings.type === 'redis-stream') {
              // The catch-up XRANGE must be answered (empty) before the first XADD, or it would
              // return item 0 and save one XREAD; the reader sends its first XREAD only after that.
              await waitFor(() => (stream.commandsByName().xread ?? 0) === 1, 'the first XREAD');
            }
            for (const [index, item] of items.entries()) {
              await writeOne(stream, item);
              await waitFor(() => collector.items.length === index + 1, `item ${index}`);
            }
            await stream.end(END_ITEM);
            await reading;
            const after = await commandCalls(countServer.inspector);
            expectExactDelivery(collector, items);

            const counters = stream.counters();
            expect(counters.redisCommands).toBe(expected.commands);
            expect(counters.redisRoundTrips).toBe(expected.roundTrips);
            expect(counters.redisSignalsReceived).toBe(expected.signals);
            expect(counters.readLagMaxItems).toBe(0);
            expect(stream.commandsByName()).toEqual(expected.byName);

            // The server saw exactly these commands, plus the first INFO call, plus what the script ran.
            const serverSaw = delta(after, before);
            delete serverSaw['pubsub|numsub']; // the test's own polling above
            const expectedServer: Record<string, number> = { ...expected.byName, info: 1 };
            for (const [name, calls] of Object.entries(expected.scriptInner ?? {})) {
              expectedServer[name] = (expectedServer[name] ?? 0) + calls;
            }
            expect(serverSaw).toEqual(expectedServer);
            await stream.dispose();
          },
          countServer.url,
        );
      });
    }
  });

  describe('bytes are the exact RESP of what crossed the sockets', () => {
    it('redis-pubsub: commands sent, replies and pushed messages received', async () => {
      await withBroker(settingsOf({ type: 'redis-pubsub' }), async (broker, runId) => {
        const stream = await broker.openStream('bytes');
        const keys = streamKeys(runId, 'bytes');
        const items = contentItems(3);
        const collector = await relayBurst(stream, items);
        expectExactDelivery(collector, items);

        const messages = [...items, END_ITEM].map((payload, position) => `${position} ${payload}`);
        const published: [string, string][] = [...messages.map((message): [string, string] => [keys.signalChannel, message]), [keys.controlChannel, 'END_STREAM']];
        const written =
          respCommandBytes(['subscribe', keys.signalChannel, keys.controlChannel]) +
          published.reduce((sum, [channel, message]) => sum + respCommandBytes(['publish', channel, message]), 0);
        // SUBSCRIBE answers once per channel: [subscribe, channel, count]; each message is
        // pushed as [message, channel, payload]; each PUBLISH is answered with 1 (one subscriber).
        const subscribeReply = (channel: string, count: number) => '*3\r\n'.length + respBulkBytes('subscribe') + respBulkBytes(channel) + respIntegerBytes(count);
        const subscribeReplies = subscribeReply(keys.signalChannel, 1) + subscribeReply(keys.controlChannel, 2);
        const pushed = published.reduce((sum, [channel, message]) => sum + respCommandBytes(['message', channel, message]), 0);
        const read = subscribeReplies + pushed + published.length * respIntegerBytes(1);
        expect(stream.counters()).toMatchObject({ redisBytesWritten: written, redisBytesRead: read });
        await stream.dispose();
      });
    });

    it('redis-list: `full` re-reads every earlier item on every signal, `from-index` reads each once', async () => {
      const items = contentItems(20);
      const bytesRead: Record<string, number> = {};
      for (const read of ['full', 'from-index'] as const) {
        await withBroker(settingsOf({ type: 'redis-list', write: 'awaited', read }), async (broker) => {
          const stream = await broker.openStream('bytes');
          // Item 0 first, so the join read deterministically returns it; then lockstep.
          await stream.write([items[0]!]);
          const collector = new Collector();
          const reading = stream.read(collector.onItems);
          await waitFor(() => collector.items.length === 1, 'the join read');
          for (const [index, item] of items.entries()) {
            if (index === 0) continue;
            await stream.write([item]);
            await waitFor(() => collector.items.length === index + 1, `item ${index}`);
          }
          await stream.end(END_ITEM);
          await reading;
          bytesRead[read] = entryOf(stream.counters(), 'redisBytesRead', 'stream counters');
          await stream.dispose();
        });
      }
      // Everything but the LRANGE replies is the same. `full` reads items 0..j on the signal of
      // item j (j = 1..20, 20 being the end item) and 0..0 on joining; `from-index` reads item j alone.
      const all = [...items, END_ITEM];
      const arrayOf = (slice: string[]) => `*${slice.length}\r\n`.length + slice.reduce((sum, item) => sum + respBulkBytes(item), 0);
      let fullReplies = 0;
      let fromIndexReplies = 0;
      for (let j = 0; j < all.length; j++) {
        fullReplies += arrayOf(all.slice(0, j + 1));
        fromIndexReplies += arrayOf([all[j]!]);
      }
      expect(bytesRead.full! - bytesRead['from-index']!).toBe(fullReplies - fromIndexReplies);
    });
  });

  describe("the seed's bounded window falls behind under bursts; window-catchup does not", () => {
    // Item 0 is written before the reader joins, so its join read returns exactly that item and
    // the reader is idle afterwards. Then each burst is one write of 30 items: one RPUSH and one
    // "new" signal for 30 items.
    const items = contentItems(61);
    const firstBurst = items.slice(1, 31);
    const secondBurst = items.slice(31, 61);

    async function joinAfterItem0(stream: RedisBrokerStream): Promise<{ collector: Collector; reading: Promise<void> }> {
      await stream.write([items[0]!]);
      const collector = new Collector();
      const reading = stream.read(collector.onItems);
      await waitFor(() => collector.items.length === 1, 'the join read');
      return { collector, reading };
    }

    it('window: one LRANGE of 10 per signal leaves 20 behind, and the rest arrives only at the end', async () => {
      await withBroker(settingsOf({ type: 'redis-list', write: 'awaited', read: 'window', window: 10 }), async (broker) => {
        const stream = await broker.openStream('window');
        const { collector, reading } = await joinAfterItem0(stream);
        await stream.write(firstBurst);
        await waitFor(() => collector.items.length >= 11, 'the first window');
        expect(collector.items.length).toBe(11);
        expect(stream.counters().readLagMaxItems).toBe(20);

        await stream.write(secondBurst);
        await waitFor(() => collector.items.length >= 21, 'the second window');
        expect(collector.items.length).toBe(21);
        expect(stream.counters().readLagMaxItems).toBe(40);

        await stream.end(END_ITEM);
        await reading;
        expectExactDelivery(collector, items);
        // The status item's signal reads 10 more; END_STREAM then drains the 31 left behind.
        expect(collector.batches.map((batch) => batch.length)).toEqual([1, 10, 10, 10, 31]);
        // Join + 3 signals + the drain after END_STREAM.
        expect(stream.commandsByName().lrange).toBe(5);
        await stream.dispose();
      });
    });

    it('window-catchup: bounded reads until a short read keep up with every burst', async () => {
      await withBroker(settingsOf({ type: 'redis-list', write: 'awaited', read: 'window-catchup', window: 10 }), async (broker) => {
        const stream = await broker.openStream('catchup');
        const { collector, reading } = await joinAfterItem0(stream);
        await stream.write(firstBurst);
        await waitFor(() => collector.items.length >= 31, 'the first burst');
        expect(stream.counters().readLagMaxItems).toBe(0);

        await stream.write(secondBurst);
        await waitFor(() => collector.items.length >= 61, 'the second burst');
        await stream.end(END_ITEM);
        await reading;
        expectExactDelivery(collector, items);
        expect(stream.counters().readLagMaxItems).toBe(0);
        expect(Math.max(...collector.batches.map((batch) => batch.length))).toBe(10);
        await stream.dispose();
      });
    });
  });

  describe('a late joiner (reads after 40 of 100 items)', () => {
    const items = contentItems(100);
    async function joinLate(settings: RedisBrokerSettings): Promise<Collector> {
      return withBroker(settings, async (broker) => {
        const stream = await broker.openStream('late');
        for (const item of items.slice(0, 40)) await stream.write([item]);
        const collector = new Collector();
        const reading = stream.read(collector.onItems);
        for (const item of items.slice(40)) await writeOne(stream, item);
        await stream.end(END_ITEM);
        await reading;
        await stream.dispose();
        return collector;
      });
    }

    for (const input of [
      { type: 'redis-list', write: 'fire-and-forget', read: 'from-index' },
      { type: 'redis-list', write: 'pipelined', read: 'window-catchup' },
      { type: 'redis-list', write: 'eval', read: 'full' },
      { type: 'redis-stream', count: 16 },
    ]) {
      it(`gets every item exactly once: ${JSON.stringify(input)}`, async () => {
        expectExactDelivery(await joinLate(settingsOf(input)), items);
      });
    }

    it('loses everything published before it subscribed with redis-pubsub', async () => {
      const collector = await joinLate(settingsOf({ type: 'redis-pubsub' }));
      expect(collector.positions()).toEqual([...Array.from({ length: 60 }, (_, index) => 40 + index), 100]);
      expect(collector.items.at(-1)?.payload).toBe(END_ITEM);
    });
  });

  // The rest of connections: shared is in sharedConnections.test.ts.
  describe('shared connections, on a server of their own (CLIENT LIST sees only these connections)', () => {
    const own = privateRedisForTheseTests(url);
    const sharedClients = async () => ((await own.inspector.client('LIST')) as string).split('\n').filter((line) => / name=streambench-shared-/.test(line));

    it('three connections serve every stream of a broker', async () => {
      if (own.server === null) return; // without redis-server on PATH, other runs may share the server
      await withBroker(
        settingsOf({ type: 'redis-list', write: 'eval', read: 'window-catchup', connections: 'shared' }),
        async (broker) => {
          const streams = await Promise.all(['a', 'b', 'c', 'd'].map((streamId) => broker.openStream(streamId)));
          await Promise.all(streams.map((stream) => relayBurst(stream, contentItems(5))));
          expect((await sharedClients()).map((line) => / name=(\S+)/.exec(line)![1]).sort()).toEqual([
            'streambench-shared-consumer',
            'streambench-shared-producer',
            'streambench-shared-subscriber',
          ]);
          for (const stream of streams) await stream.dispose();
        },
        own.url,
      );
    });
  });

  describe('no key is left behind', () => {
    for (const input of [{ type: 'redis-list' }, { type: 'redis-stream' }]) {
      it(`after a failure mid-stream, close() deletes the keys: ${input.type}`, async () => {
        const runId = newRunId();
        const broker = await createRedisBroker(settingsOf(input), { url, runId, clock: systemClock });
        const stream = await broker.openStream('failing');
        const reading = stream.read(() => {});
        for (const item of contentItems(50)) await stream.write([item]);
        const key = streamKeys(runId, 'failing').responses;
        // Every key carries a TTL from its first write.
        expect(await inspector.ttl(key)).toBeGreaterThan(0);
        expect(await keysUnder(inspector, runKeyPrefix(runId))).toEqual([key]);

        // The run fails here: no end(), no dispose(); the runner's error path calls close().
        await broker.close();
        await expect(reading).rejects.toThrow(/disposed before its end item/);
        expect(await keysUnder(inspector, runKeyPrefix(runId))).toEqual([]);
        expect(broker.liveKeys()).toEqual([]);
      });
    }
  });

  describe('resolveRedis', () => {
    it('uses an explicit URL that answers', async () => {
      const resolution = await resolveRedis(url);
      expect(resolution).toMatchObject({ url, redactedUrl: redactUrl(url) });
    });

    it('auto uses REDIS_URL when it answers', async () => {
      const resolution = await resolveRedis(undefined, { REDIS_URL: url });
      expect(resolution).toMatchObject({ url });
    });
  });
});

describe('a private redis-server', () => {
  let available = false;
  beforeAll(async () => {
    const probe = await startPrivateRedisServer();
    available = probe !== null;
    await probe?.stop();
  });

  it('auto starts one when nothing answers, and release() stops it', async (context) => {
    if (!available) context.skip();
    const resolution = await resolveRedis('auto', process.env.REDIS_URL ? { ...process.env, REDIS_URL: '' } : process.env, 'redis://127.0.0.1:1');
    if (!('url' in resolution)) throw new Error(resolution.skipped);
    expect(resolution.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const client = new Redis(resolution.url, { lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => {});
    await client.connect();
    // No persistence: nothing is saved, ever.
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    client.disconnect();
    await resolution.release();
    await expect(resolveRedis(resolution.url)).rejects.toThrow(RedisSetupError);
  });

  it('password and database in the URL work; a wrong password or database never passes', async (context) => {
    if (!available) context.skip();
    const server = await startPrivateRedisServer({ extraArgs: ['--requirepass', 'right-horse-battery'] });
    try {
      const port = new URL(server!.url).port;
      const wrong = `redis://:wrong-staple-secret@127.0.0.1:${port}/2`;
      const error = (await resolveRedis(wrong).catch((caught: unknown) => caught)) as Error;
      expect(error).toBeInstanceOf(RedisSetupError);
      expect(`${error.message} ${error.stack}`).not.toContain('wrong-staple-secret');
      expect(error.message).toContain(`redis://:***@127.0.0.1:${port}/2 (`);
      expect(error.message).toContain('WRONGPASS');
      // ioredis connects even when SELECT fails; writing to database 0 instead would be wrong.
      await expect(resolveRedis(`redis://:right-horse-battery@127.0.0.1:${port}/99`)).rejects.toThrow(/DB index is out of range/);

      const right = `redis://:right-horse-battery@127.0.0.1:${port}/2`;
      const resolution = await resolveRedis(right);
      expect(resolution).toMatchObject({ redactedUrl: `redis://:***@127.0.0.1:${port}/2` });
      const runId = newRunId();
      const broker = await createRedisBroker(settingsOf({ type: 'redis-list' }), { url: right, runId, clock: systemClock });
      const admin = new Redis(right, { lazyConnect: true });
      await admin.connect();
      try {
        const stream = await broker.openStream('auth');
        const collector = new Collector();
        const reading = stream.read(collector.onItems);
        await stream.write(['a']);
        expect(await admin.llen(streamKeys(runId, 'auth').responses)).toBe(1);
        await stream.end(END_ITEM);
        await reading;
        expect(collector.items.map((item) => item.payload)).toEqual(['a', END_ITEM]);
        await stream.dispose();

        // A connection lost mid-stream fails the read with a message that names the redacted URL.
        const broken = await broker.openStream('broken');
        const brokenRead = broken.read(() => {});
        await broken.write(['b']);
        await admin.call('CLIENT', ['KILL', 'TYPE', 'pubsub']);
        const lost = (await brokenRead.catch((caught: unknown) => caught)) as Error;
        expect(lost.message).toBe(`Redis subscriber connection to redis://:***@127.0.0.1:${port}/2 closed during the stream`);
        await broken.dispose();
        expect(await admin.keys(`${runKeyPrefix(runId)}*`)).toEqual([]);
      } finally {
        admin.disconnect();
        await broker.close();
      }
    } finally {
      await server?.stop();
    }
  });
});
